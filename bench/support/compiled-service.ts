// Benchmarks measure what ships: the service compiled by service/tsconfig.build.json and run by plain `node`
// (as the Docker image runs `node dist/main.js`), not TypeScript through tsx, whose loader, source maps and
// esbuild `__name` wrappers cost time on every request and memory in every process.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Compiles the service into service/dist (git-ignored) and returns the path of its entry point, dist/main.js. */
export async function compileService(): Promise<string> {
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  try {
    await promisify(execFile)(process.execPath, [tsc, '-p', join(root, 'service/tsconfig.build.json')], { cwd: root });
  } catch (error) {
    const out = (error as { stdout?: string }).stdout ?? '';
    throw new Error(`compiling the service (tsc -p service/tsconfig.build.json) failed:\n${out}`, { cause: error });
  }
  return join(root, 'service/dist/main.js');
}
