#!/usr/bin/env -S npx tsx
// npm run provision-on-demand -- --help
import { main } from './lib/cli/command.js';
import { provisionOnDemandCommand } from './lib/provision-on-demand.js';

main(provisionOnDemandCommand);
