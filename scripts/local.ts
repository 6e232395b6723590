#!/usr/bin/env -S npx tsx
// npm run local -- --help
import { exitAfterFlush, runCommand } from './lib/cli/command.js';
import { localCommand } from './lib/local/local.js';

// Not main(): local handles Ctrl-C itself to close the service and the emulator cleanly.
void runCommand(localCommand, process.argv.slice(2)).then(exitAfterFlush);
