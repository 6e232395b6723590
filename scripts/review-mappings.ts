#!/usr/bin/env zx
// npm run review-mappings -- --help   (run with tsx; logic in scripts/lib/review-mappings/)
import { runCommand, type CommandSpec } from './lib/cli/command.js';

process.once('SIGINT', () => {
  process.stderr.write('\nInterrupted.\n');
  process.exit(130);
});

// Imported dynamically: the review loads provisioning/ and expressions/ of this checkout, and a PR that breaks
// them should get a sentence, not a stack trace.
let command: CommandSpec | undefined;
try {
  ({ reviewMappingsCommand: command } = await import('./lib/review-mappings/command.js'));
} catch (error) {
  const reason = (error instanceof Error ? error.message : String(error)).split('\n').slice(0, 2).join(' ');
  process.stderr.write(`review-mappings cannot start: ${reason}\nFix: provisioning/ or expressions/ in this checkout does not load; run npm run typecheck.\n`);
  process.exitCode = 2;
}
// exitCode rather than process.exit(): a large Markdown report on a pipe must be flushed before Node exits.
if (command) process.exitCode = await runCommand(command, process.argv.slice(2));
