// A service process started on port 0: its URL is read from Fastify's "Server listening at …" log line, and
// everything it prints is kept, so tests can check what the real process logs.
import { spawn, type ChildProcess } from 'node:child_process';

export interface ListeningProcess {
  url: string;
  child: ChildProcess;
  /** stdout + stderr so far. */
  output(): string;
  exited: Promise<number | null>;
}

/** Spawns `node <args>` and waits up to 20 s for the listening line; kills the process if it never comes. */
export async function spawnListening(args: string[], options: { cwd: string; env: Record<string, string> }): Promise<ListeningProcess> {
  const child = spawn(process.execPath, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  try {
    const url = await new Promise<string>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`service did not start:\n${output}`)), 20_000);
      const check = () => {
        const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
        if (m) {
          clearTimeout(timer);
          done(m[1]!);
        } else setTimeout(check, 50);
      };
      check();
    });
    return { url, child, output: () => output, exited };
  } catch (error) {
    if (child.exitCode === null) child.kill('SIGKILL');
    throw error;
  }
}
