// A revision's provisioning data (model resolved for one environment, sample directory, app roles),
// loaded in a child process so two revisions of the same modules never share a module cache.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { ProvisioningModel, SampleDirectory } from '../../../provisioning/index.js';
import { CliError, ExitCode } from '../cli/index.js';
import { extractRevision, resolveCommit, shortCommit } from './git.js';
import { loadProvisioning } from './load-revision.js';

const run = promisify(execFile);

export interface RoleDefinition {
  id: string;
  value: string;
  displayName: string;
}

export interface Snapshot {
  /** `working tree` or the short commit id. */
  label: string;
  commit: string | null;
  /** false when the revision has no provisioning/ (e.g. the PR that introduces it). */
  present: boolean;
  model: ProvisioningModel | null;
  sample: SampleDirectory | null;
  appRoles: RoleDefinition[];
  exclusiveGlobalRoles: string[];
  /** The environment's parameters at this revision (null when it could not be resolved). */
  parameters: { ssoId?: string; extensionAppId?: string } | null;
  /** Why parts of the revision could not be loaded. */
  errors: string[];
}

const loaderPath = fileURLToPath(new URL('./load-revision.ts', import.meta.url));
const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');

function toSnapshotData(data: Omit<Snapshot, 'label' | 'commit'>): Omit<Snapshot, 'label' | 'commit'> {
  return {
    present: data.present,
    model: data.model,
    sample: data.sample,
    appRoles: Array.isArray(data.appRoles) ? data.appRoles : [],
    exclusiveGlobalRoles: Array.isArray(data.exclusiveGlobalRoles) ? data.exclusiveGlobalRoles : [],
    parameters: data.parameters ?? null,
    errors: data.errors ?? [],
  };
}

async function loadDirectory(dir: string, environment: string): Promise<Omit<Snapshot, 'label' | 'commit'>> {
  let stdout: string;
  try {
    ({ stdout } = await run(process.execPath, [tsxCli, loaderPath, dir, environment], {
      cwd: dir,
      maxBuffer: 256 * 1024 * 1024,
      encoding: 'utf8',
    }));
  } catch (error) {
    const detail = ((error as { stderr?: string }).stderr ?? (error as Error).message).trim().split('\n').slice(0, 3).join(' ');
    throw new CliError(`Could not load provisioning/ from ${dir}: ${detail}`, { exitCode: ExitCode.usage, code: 'RevisionLoadFailed' });
  }
  return toSnapshotData(JSON.parse(stdout) as Omit<Snapshot, 'label' | 'commit'>);
}

export async function loadWorkingTree(root: string, environment: string): Promise<Snapshot> {
  // In process: the working tree's modules are the ones this process runs anyway. A JSON copy keeps the
  // snapshot plain data, exactly as a child process would return it.
  const loaded = JSON.parse(JSON.stringify(await loadProvisioning(root, environment))) as Omit<Snapshot, 'label' | 'commit'>;
  return { label: 'working tree', commit: null, ...toSnapshotData(loaded) };
}

export async function loadRevision(root: string, revision: string, environment: string): Promise<Snapshot> {
  const commit = await resolveCommit(root, revision);
  const label = await shortCommit(root, commit);
  const checkout = await extractRevision(root, commit);
  try {
    return { label, commit, ...(await loadDirectory(checkout.dir, environment)) };
  } finally {
    checkout.dispose();
  }
}
