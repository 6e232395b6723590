#!/usr/bin/env -S npx tsx
// npm run verify-provisioning -- --help
import { main } from './lib/cli/command.js';
import { verifyProvisioningCommand } from './lib/verify-provisioning.js';

main(verifyProvisioningCommand);
