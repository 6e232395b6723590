// Every script failure ends as a CliError: a message that says what went wrong, a fix that says what
// to do about it, and an exit code CI can branch on (documented in docs/scripts.md).

export const ExitCode = {
  /** Everything the script set out to do holds. */
  ok: 0,
  /** The script ran, but what it checks does not hold (failed Test Connection, failed provisioning, verification failures). */
  checkFailed: 1,
  /** Bad or missing input: unknown flag, missing service principal id, unreadable file. */
  usage: 2,
  /** Graph refused the caller: no credential, expired token, missing permission. */
  auth: 3,
  /** Something named in the input does not exist (service principal, job, user, group). */
  notFound: 4,
  /** Graph or the SCIM service failed or could not be reached (after retries). */
  remote: 5,
  /** Interrupted (Ctrl-C). */
  interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface CliErrorOptions {
  /** What the user should do about it; printed on its own line. */
  fix?: string;
  exitCode?: ExitCodeValue;
  /** A stable machine-readable code for --json consumers (e.g. GraphPermissionMissing). */
  code?: string;
  /** Extra structured details for --json (never secrets). */
  details?: Record<string, unknown>;
}

export class CliError extends Error {
  readonly fix: string | undefined;
  readonly exitCode: ExitCodeValue;
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(message: string, options: CliErrorOptions = {}) {
    super(message);
    this.name = 'CliError';
    this.fix = options.fix;
    this.exitCode = options.exitCode ?? ExitCode.remote;
    this.code = options.code ?? 'Error';
    this.details = options.details;
  }
}

export const usageError = (message: string, fix?: string): CliError =>
  new CliError(message, { fix, exitCode: ExitCode.usage, code: 'UsageError' });

/** Turns anything thrown into a CliError without leaking a stack trace to the user. */
export function toCliError(error: unknown): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof Error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    const code = (error as { code?: string }).code ?? cause?.code;
    if (code === 'ENOENT') return new CliError(error.message, { exitCode: ExitCode.usage, code: 'FileNotFound', fix: 'Check the path you passed.' });
    return new CliError(`Unexpected error: ${error.message}`, {
      code: 'UnexpectedError',
      fix: 'Rerun with --verbose for details; if it persists, report it with the command you ran.',
    });
  }
  return new CliError(`Unexpected error: ${String(error)}`, { code: 'UnexpectedError' });
}
