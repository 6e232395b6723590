// Git plumbing for review-mappings: which revisions to compare and a clean copy of a revision's files.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CliError, ExitCode, usageError } from '../cli/index.js';

const run = promisify(execFile);

export async function git(cwd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run('git', args, { cwd, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; message: string; code?: string | number };
    if (e.code === 'ENOENT') throw new CliError('git is not installed or not on PATH.', { exitCode: ExitCode.usage, code: 'GitMissing', fix: 'Install git.' });
    const detail = (e.stderr ?? e.message).trim().split('\n')[0];
    throw new CliError(`git ${args.join(' ')} failed: ${detail}`, { exitCode: ExitCode.usage, code: 'GitFailed' });
  }
}

export async function repositoryRoot(cwd: string): Promise<string> {
  try {
    return (await git(cwd, ['rev-parse', '--show-toplevel'])).trim();
  } catch {
    throw usageError(`${cwd} is not inside a git repository.`, 'Run review-mappings from a checkout of the project.');
  }
}

/** The full commit id of a revision, with an error that names the revision. */
export async function resolveCommit(root: string, revision: string): Promise<string> {
  try {
    return (await git(root, ['rev-parse', '--verify', '--quiet', `${revision}^{commit}`])).trim();
  } catch {
    throw usageError(`Unknown revision "${revision}".`, 'Pass a branch, tag or commit that exists in this repository (git log --oneline).');
  }
}

/**
 * The default base: where this branch left the main line (merge base of HEAD with origin/HEAD,
 * origin/main, main or master, first that exists).
 */
export async function defaultBase(root: string): Promise<{ commit: string; description: string }> {
  for (const candidate of ['origin/HEAD', 'origin/main', 'main', 'origin/master', 'master']) {
    let target: string;
    try {
      target = (await git(root, ['rev-parse', '--verify', '--quiet', `${candidate}^{commit}`])).trim();
    } catch {
      continue;
    }
    const commit = (await git(root, ['merge-base', 'HEAD', target])).trim();
    return { commit, description: `merge base with ${candidate}` };
  }
  throw usageError('Cannot find the main branch to compare with.', 'Pass --base <revision>.');
}

export async function shortCommit(root: string, commit: string): Promise<string> {
  return (await git(root, ['rev-parse', '--short', commit])).trim();
}

/** The files of a commit in a temporary folder (removed by `dispose`); node_modules is linked from the checkout. */
export async function extractRevision(root: string, commit: string): Promise<{ dir: string; dispose(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'review-mappings-'));
  const dispose = () => rmSync(dir, { recursive: true, force: true });
  try {
    const tar = join(dir, '.revision.tar');
    await git(root, ['archive', '--format=tar', '-o', tar, commit]);
    await run('tar', ['-xf', tar, '-C', dir]);
    rmSync(tar);
    const modules = join(root, 'node_modules');
    if (existsSync(modules) && !existsSync(join(dir, 'node_modules'))) symlinkSync(modules, join(dir, 'node_modules'), 'dir');
    return { dir, dispose };
  } catch (error) {
    dispose();
    throw error;
  }
}
