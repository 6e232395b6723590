export { CliError, ExitCode, toCliError, usageError, type ExitCodeValue } from './errors.js';
export { createOutput, table, type Output, type Progress } from './output.js';
export { redact, redactValue, registerSecret } from './redact.js';
export { exitAfterFlush, helpText, main, runCommand, exitCodeHelp, type CommandContext, type CommandSpec, type OptionSpec } from './command.js';
