#!/usr/bin/env -S npx tsx
// npm run provisioning-logs -- --help
import { main } from './lib/cli/command.js';
import { provisioningLogsCommand } from './lib/provisioning-logs.js';

main(provisioningLogsCommand);
