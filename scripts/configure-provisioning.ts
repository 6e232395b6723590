#!/usr/bin/env -S npx tsx
// npm run configure-provisioning -- --help
import { main } from './lib/cli/command.js';
import { configureProvisioning } from './lib/configure-provisioning.js';

main(configureProvisioning);
