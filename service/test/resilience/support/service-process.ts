// Runs the SCIM service as a real OS process (Node 24 + tsx, or the compiled dist/main.js; configured only
// by environment variables, exactly as in production) so tests can run several replicas, SIGTERM them or kill -9 them.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { freePort } from './private-postgres.js';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const mainScript = fileURLToPath(new URL('../../../src/main.ts', import.meta.url));

export interface ServiceProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  /** Everything the process printed (stdout + stderr), for failure messages. */
  output(): string;
  /** SIGTERM and wait for exit; returns the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL (kill -9) and wait for exit. */
  kill(): Promise<void>;
  exited: Promise<number | null>;
}

export interface ServiceProcessOptions {
  env: Record<string, string>;
  /** How long to wait for /readyz to answer 200. */
  readyTimeoutMs?: number;
  /** Wait only for /healthz (the process is up) instead of /readyz (it can serve). */
  waitFor?: 'readyz' | 'healthz';
  /** Node arguments of the compiled service (e.g. `[flags…, 'service/dist/main.js']`) instead of src/main.ts through tsx. */
  nodeArgs?: string[];
}

export async function startServiceProcess(options: ServiceProcessOptions): Promise<ServiceProcess> {
  const port = await freePort();
  const args = options.nodeArgs ?? ['--import', 'tsx', mainScript];
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { ...process.env, LOG_LEVEL: 'warn', ...options.env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const url = `http://127.0.0.1:${port}`;

  const deadline = Date.now() + (options.readyTimeoutMs ?? 20_000);
  const probe = options.waitFor === 'healthz' ? '/healthz' : '/readyz';
  let exitedEarly = false;
  void exited.then(() => (exitedEarly = true));
  for (;;) {
    if (exitedEarly) throw new Error(`service process exited before it was ready:\n${output}`);
    try {
      const res = await fetch(url + probe, { signal: AbortSignal.timeout(1_000) });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`service process not ready after ${options.readyTimeoutMs ?? 20_000} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  return {
    url,
    pid: child.pid ?? -1,
    child,
    output: () => output,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
