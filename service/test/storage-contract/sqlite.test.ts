import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { openSqliteStorage } from '../../src/storage/sqlite/engine.js';
import { runStorageContract } from './contract.js';

runStorageContract('sqlite in memory', async () => openSqliteStorage(':memory:'));

const dir = mkdtempSync(join(tmpdir(), 'scim-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
runStorageContract('sqlite file (WAL)', async () => openSqliteStorage(join(dir, 'nested', 'scim.db')));
