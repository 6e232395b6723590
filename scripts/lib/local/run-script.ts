// Runs one of the scripts as a child process (the same way a user or CI does), with --json, and returns
// its exit code and parsed JSON document. stderr (progress, notes) is passed through, indented.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ScriptRun<T = Record<string, unknown>> {
  script: string;
  exitCode: number;
  json: T | null;
  stderr: string;
}

const scriptsDir = fileURLToPath(new URL('../../', import.meta.url));
const tsxLoader = import.meta.resolve('tsx');

export function runScript<T = Record<string, unknown>>(
  script: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; onStderr?: (line: string) => void } = {},
): Promise<ScriptRun<T>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', tsxLoader, `${scriptsDir}${script}.ts`, ...args, '--json'], {
      env: { ...process.env, ENTRA_SCIM_NO_PULUMI: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      partial += chunk;
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) options.onStderr?.(line);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (partial.trim()) options.onStderr?.(partial);
      let json: T | null = null;
      try {
        json = stdout.trim() ? (JSON.parse(stdout) as T) : null;
      } catch {
        json = null;
      }
      resolve({ script, exitCode: code ?? (signal ? 128 : 1), json, stderr });
    });
  });
}
