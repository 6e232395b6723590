#!/usr/bin/env zx
// npm run review-mappings -- --help   (run with tsx; logic in scripts/lib/review-mappings/)
import { runCommand } from './lib/cli/command.js';
import { reviewMappingsCommand } from './lib/review-mappings/command.js';

process.once('SIGINT', () => {
  process.stderr.write('\nInterrupted.\n');
  process.exit(130);
});
// exitCode rather than process.exit(): a large Markdown report on a pipe must be flushed before Node exits.
process.exitCode = await runCommand(reviewMappingsCommand, process.argv.slice(2));
