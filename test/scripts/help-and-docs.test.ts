// Every script's --help (entry points themselves run as child processes in the other files) and every option it declares is documented in docs/scripts.md,
// so the docs keep matching the code.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { runCommand, type CommandSpec } from '../../scripts/lib/cli/command.js';
import { configureProvisioning } from '../../scripts/lib/configure-provisioning.js';
import { localCommand } from '../../scripts/lib/local/local.js';
import { provisionOnDemandCommand } from '../../scripts/lib/provision-on-demand.js';
import { provisioningLogsCommand } from '../../scripts/lib/provisioning-logs.js';
import { uploadSchemaCommand } from '../../scripts/lib/upload-schema.js';
import { verifyProvisioningCommand } from '../../scripts/lib/verify-provisioning.js';

const commands: CommandSpec[] = [configureProvisioning, uploadSchemaCommand, provisionOnDemandCommand, verifyProvisioningCommand, provisioningLogsCommand, localCommand];

describe('scripts --help and docs/scripts.md', { timeout: 60_000 }, () => {
  it.each(commands.map((c) => [c.name, c] as const))('%s --help lists every option and exits 0', async (name, spec) => {
    let out = '';
    const sink = { write: (chunk: string) => ((out += chunk), true) } as unknown as NodeJS.WritableStream;
    expect(await runCommand(spec, ['--help'], { stdout: sink, stderr: sink })).toBe(0);
    expect(out).toContain(`Usage: npm run ${name} -- [options]`);
    for (const option of Object.keys(spec.options)) expect(out).toContain(`--${option}`);
  });

  it('documents every option of every script', async () => {
    const docs = await readFile(new URL('../../docs/scripts.md', import.meta.url), 'utf8');
    const missing = commands.flatMap((c) => Object.keys(c.options).filter((o) => !docs.includes(`--${o}`)).map((o) => `${c.name} --${o}`));
    expect(missing).toEqual([]);
  });
});
