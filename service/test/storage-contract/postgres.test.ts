// The storage contract suite against the PostgreSQL engine, in a private schema dropped afterwards.
import { afterAll } from 'vitest';
import { openPostgresStorage } from '../../src/storage/postgres/engine.js';
import { createTestSchema } from '../postgres/support/database.js';
import { runStorageContract } from './contract.js';

const schema = await createTestSchema(undefined, 'scim_contract');
afterAll(() => schema.drop());

runStorageContract('postgres', () => openPostgresStorage(schema.url));
