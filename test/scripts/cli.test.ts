// The shared CLI layer: --help, unknown flags, --json error documents, exit codes, secret redaction.
import { describe, expect, it } from 'vitest';
import { runCommand, type CommandSpec } from '../../scripts/lib/cli/command.js';
import { CliError, ExitCode } from '../../scripts/lib/cli/errors.js';
import { redact, registerSecret } from '../../scripts/lib/cli/redact.js';

function capture() {
  const chunks = { out: '', err: '' };
  return {
    chunks,
    streams: {
      stdout: { write: (s: string) => ((chunks.out += s), true) } as unknown as NodeJS.WritableStream,
      stderr: { write: (s: string) => ((chunks.err += s), true) } as unknown as NodeJS.WritableStream,
    },
  };
}

const spec = (run: CommandSpec['run']): CommandSpec => ({
  name: 'demo',
  summary: 'A demo command.',
  options: { name: { type: 'string', valueName: 'who', env: 'DEMO_NAME', description: 'Who to greet.' }, tag: { type: 'string', multiple: true, description: 'Tags.' } },
  examples: ['npm run demo -- --name Ada'],
  run,
});

describe('runCommand', () => {
  it('prints --help with options, env vars, examples and exit codes', async () => {
    const { chunks, streams } = capture();
    expect(await runCommand(spec(async () => ExitCode.checkFailed), ['--help'], streams)).toBe(0);
    expect(chunks.out).toContain('Usage: npm run demo -- [options]');
    expect(chunks.out).toContain('--name <who>');
    expect(chunks.out).toContain('env DEMO_NAME');
    expect(chunks.out).toContain('Exit codes:');
  });

  it('rejects an unknown flag with exit code 2 and a pointer to --help', async () => {
    const { chunks, streams } = capture();
    expect(await runCommand(spec(async () => undefined), ['--nmae', 'x'], streams)).toBe(ExitCode.usage);
    expect(chunks.err).toContain("Unknown option '--nmae'");
    expect(chunks.err).toContain('--help');
  });

  it('reads flags, then the environment; splits repeatable values on commas', async () => {
    const { streams } = capture();
    let seen: unknown[] = [];
    process.env.DEMO_NAME = 'from-env';
    await runCommand(spec(async (ctx) => { seen = [ctx.string('name'), ctx.list('tag')]; }), ['--tag', 'a,b', '--tag', 'c'], streams);
    expect(seen).toEqual(['from-env', ['a', 'b', 'c']]);
    await runCommand(spec(async (ctx) => { seen = [ctx.string('name')]; }), ['--name', 'flag'], streams);
    expect(seen).toEqual(['flag']);
    delete process.env.DEMO_NAME;
  });

  it('turns a failure into message + fix on stderr, a stable JSON document with --json, and its exit code', async () => {
    const fail = spec(async () => {
      throw new CliError('The thing failed.', { fix: 'Do the other thing.', exitCode: ExitCode.notFound, code: 'ThingMissing' });
    });
    const human = capture();
    expect(await runCommand(fail, [], human.streams)).toBe(ExitCode.notFound);
    expect(human.chunks.err).toBe('error: The thing failed.\n  fix: Do the other thing.\n');
    const json = capture();
    expect(await runCommand(fail, ['--json'], json.streams)).toBe(ExitCode.notFound);
    expect(JSON.parse(json.chunks.out)).toEqual({ ok: false, error: { code: 'ThingMissing', message: 'The thing failed.', fix: 'Do the other thing.', exitCode: 4 } });
  });

  it('never shows a stack trace for an unexpected error', async () => {
    const { chunks, streams } = capture();
    expect(await runCommand(spec(async () => { throw new TypeError('boom'); }), [], streams)).toBe(ExitCode.remote);
    expect(chunks.err).toContain('Unexpected error: boom');
    expect(chunks.err).not.toMatch(/at .*\.ts:\d+/);
  });

  it('masks registered secrets, bearer tokens and JWTs in everything it prints', async () => {
    registerSecret('s3cr3t-scim-token');
    expect(redact('token=s3cr3t-scim-token; Authorization: Bearer abc.def')).toBe('token=***; Authorization: Bearer ***');
    expect(redact('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig')).toBe('***');
    const { chunks, streams } = capture();
    await runCommand(spec(async (ctx) => { ctx.out.line('using s3cr3t-scim-token'); ctx.out.note('s3cr3t-scim-token'); }), [], streams);
    expect(chunks.out + chunks.err).not.toContain('s3cr3t');
  });
});
