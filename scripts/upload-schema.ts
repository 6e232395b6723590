#!/usr/bin/env -S npx tsx
// npm run upload-schema -- --help
import { main } from './lib/cli/command.js';
import { uploadSchemaCommand } from './lib/upload-schema.js';

main(uploadSchemaCommand);
