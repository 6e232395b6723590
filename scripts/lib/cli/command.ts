// One way to declare and run a script: typed options with environment fallbacks, generated --help,
// --json, and a single place that turns failures into a message, a fix and an exit code.
import { parseArgs } from 'node:util';
import { CliError, ExitCode, toCliError, usageError, type ExitCodeValue } from './errors.js';
import { createOutput, type Output } from './output.js';
import { redact } from './redact.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  description: string;
  /** Placeholder shown in --help (`--user <upn|id>`). */
  valueName?: string;
  short?: string;
  /** Repeatable string option (`--user a --user b`); values may also be comma-separated. */
  multiple?: boolean;
  /** Environment variable read when the flag is absent. */
  env?: string;
  /** Default shown in --help and returned when neither flag nor env is set. */
  default?: string;
}

export interface CommandSpec {
  /** The npm script name, e.g. `configure-provisioning`. */
  name: string;
  summary: string;
  /** Extra paragraphs for --help. */
  description?: string;
  options: Record<string, OptionSpec>;
  examples: string[];
  run(ctx: CommandContext): Promise<ExitCodeValue | void>;
}

export interface CommandContext {
  out: Output;
  /** The value of a string option: flag, then its env var, then its default. */
  string(name: string): string | undefined;
  /** A required string option; a usage error naming the flag and env var when absent. */
  required(name: string, why?: string): string;
  flag(name: string): boolean;
  /** A repeatable option's values (comma-separated values are split). */
  list(name: string): string[];
  /** True when the value came from the command line (not env or default). */
  given(name: string): boolean;
  verbose: boolean;
}

const common: Record<string, OptionSpec> = {
  json: { type: 'boolean', description: 'Print one JSON document on stdout (for CI) instead of human output.' },
  verbose: { type: 'boolean', description: 'Show more detail (Graph requests, retries).' },
  help: { type: 'boolean', short: 'h', description: 'Show this help.' },
};

export const exitCodeHelp = `Exit codes: 0 success, 1 check failed, 2 bad or missing input, 3 Graph credential or permission
problem, 4 object not found, 5 Graph or SCIM service failed or unreachable, 130 interrupted.`;

export function helpText(spec: CommandSpec): string {
  const options = { ...spec.options, ...common };
  const rows = Object.entries(options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` <${o.valueName ?? 'value'}>` : ''}`;
    const extras = [o.multiple ? 'repeatable' : '', o.env ? `env ${o.env}` : '', o.default !== undefined ? `default ${o.default}` : '']
      .filter(Boolean)
      .join('; ');
    return [flag, `${o.description}${extras ? ` (${extras})` : ''}`];
  });
  const width = Math.max(...rows.map(([f]) => f.length)) + 2;
  return [
    `Usage: npm run ${spec.name} -- [options]`,
    '',
    spec.summary,
    ...(spec.description ? ['', spec.description] : []),
    '',
    'Options:',
    ...rows.map(([f, d]) => `  ${f.padEnd(width)}${d}`),
    '',
    'Examples:',
    ...spec.examples.map((e) => `  ${e}`),
    '',
    exitCodeHelp,
    '',
  ].join('\n');
}

/** Parses argv and runs the command; resolves to the exit code (never throws). */
export async function runCommand(spec: CommandSpec, argv: string[], streams?: { stdout?: NodeJS.WritableStream & { isTTY?: boolean }; stderr?: NodeJS.WritableStream & { isTTY?: boolean } }): Promise<number> {
  const all = { ...spec.options, ...common };
  const wantsJson = argv.includes('--json');
  const out = createOutput({ json: wantsJson, stdout: streams?.stdout, stderr: streams?.stderr });
  try {
    let parsed: ReturnType<typeof parseArgs>;
    try {
      parsed = parseArgs({
        args: argv,
        strict: true,
        allowPositionals: false,
        options: Object.fromEntries(
          Object.entries(all).map(([name, o]) => [name, { type: o.type, multiple: o.multiple ?? false, ...(o.short ? { short: o.short } : {}) }]),
        ),
      });
    } catch (error) {
      throw usageError((error as Error).message.replace(/\. To specify a positional.*$/s, '.'), `Run npm run ${spec.name} -- --help to see the options.`);
    }
    const values = parsed.values as Record<string, string | boolean | (string | boolean)[] | undefined>;
    if (values.help) {
      (streams?.stdout ?? process.stdout).write(helpText(spec));
      return ExitCode.ok;
    }
    const string = (name: string): string | undefined => {
      const spec = all[name];
      if (!spec) throw new Error(`option --${name} is not declared`);
      const v = values[name];
      if (typeof v === 'string' && v !== '') return v;
      if (Array.isArray(v) && typeof v[0] === 'string') return v[v.length - 1] as string;
      if (spec.env && process.env[spec.env]) return process.env[spec.env];
      return spec.default;
    };
    const ctx: CommandContext = {
      out,
      string,
      required(name, why) {
        const v = string(name);
        if (v === undefined) {
          const env = all[name]?.env;
          throw usageError(`Missing --${name}${why ? ` (${why})` : ''}.`, `Pass --${name} <${all[name]?.valueName ?? 'value'}>${env ? ` or set ${env}` : ''}.`);
        }
        return v;
      },
      flag: (name) => values[name] === true,
      list(name) {
        const v = values[name];
        const raw = Array.isArray(v) ? (v as string[]) : typeof v === 'string' ? [v] : [];
        const fromEnv = raw.length === 0 && all[name]?.env ? [process.env[all[name].env!] ?? ''] : [];
        return [...raw, ...fromEnv].flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
      },
      given: (name) => values[name] !== undefined,
      verbose: values.verbose === true,
    };
    const code = await spec.run(ctx);
    return code ?? ExitCode.ok;
  } catch (error) {
    const e = toCliError(error);
    reportError(out, e, argv.includes('--verbose') ? error : undefined);
    return e.exitCode;
  }
}

function reportError(out: Output, e: CliError, raw: unknown): void {
  out.note(`error: ${e.message}`);
  if (e.fix) out.note(`  fix: ${e.fix}`);
  if (raw instanceof Error && !(raw instanceof CliError) && raw.stack) out.note(redact(raw.stack));
  out.result({ ok: false, error: { code: e.code, message: e.message, fix: e.fix ?? null, exitCode: e.exitCode, ...(e.details ? { details: e.details } : {}) } });
}

/** Entry-point helper for scripts/<name>.ts: runs the command and exits with its code. */
export function main(spec: CommandSpec): void {
  process.once('SIGINT', () => {
    process.stderr.write('\nInterrupted.\n');
    process.exit(ExitCode.interrupted);
  });
  void runCommand(spec, process.argv.slice(2)).then(exitAfterFlush);
}

/**
 * Exits once stdout and stderr are flushed: process.exit() right away can cut the tail of a large --json
 * document written to a pipe. Exiting explicitly (rather than setting exitCode) also ends lingering
 * keep-alive sockets and timers.
 */
export function exitAfterFlush(code: number): void {
  let pending = 2;
  const done = (): void => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}
