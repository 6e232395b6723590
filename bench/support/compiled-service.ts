// Benchmarks measure what ships: the service compiled by service/tsconfig.build.json and started the way the
// Docker image starts it (`npm run start:prod` in service/package.json, which the Dockerfile's CMD equals), not
// TypeScript through tsx, whose loader, source maps and esbuild `__name` wrappers cost time on every request and
// memory in every process.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../../', import.meta.url));
const serviceDir = join(root, 'service');

/**
 * Compiles the service into service/dist (git-ignored) and returns the node arguments of its production
 * command, e.g. `['--max-semi-space-size=2', '--optimize-for-size', '/…/service/dist/main.js']`.
 */
export async function compileService(): Promise<string[]> {
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  try {
    await promisify(execFile)(process.execPath, [tsc, '-p', join(serviceDir, 'tsconfig.build.json')], { cwd: root });
  } catch (error) {
    const out = (error as { stdout?: string }).stdout ?? '';
    throw new Error(`compiling the service (tsc -p service/tsconfig.build.json) failed:\n${out}`, { cause: error });
  }
  const startProd = (JSON.parse(readFileSync(join(serviceDir, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts['start:prod'];
  const [node, ...args] = (startProd ?? '').split(' ');
  if (node !== 'node' || args.at(-1) !== 'dist/main.js') throw new Error(`service/package.json start:prod must be "node [flags] dist/main.js" (got "${startProd}")`);
  return [...args.slice(0, -1), join(serviceDir, 'dist/main.js')];
}
