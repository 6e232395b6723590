// service/Dockerfile cannot be built on its official base here (Docker Hub is unreachable), so this checks it statically
// (Node 24 base, non-root user, production dependencies only, the start command) and then does what its
// build and runtime stages do without Docker: compile with service/tsconfig.build.json and start
// `node dist/main.js` on Node 24 configured only by environment variables.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnListening } from './support/listening-process.js';

const root = resolve(import.meta.dirname, '../../..');
const dockerfile = readFileSync(join(root, 'service/Dockerfile'), 'utf8');

interface Instruction { stage: string; keyword: string; args: string }

/** Instructions with continuation lines joined, each tagged with its stage name. */
function parse(text: string): Instruction[] {
  const logical = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const out: Instruction[] = [];
  let stage = '';
  for (const line of logical) {
    const [keyword, ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (keyword!.toUpperCase() === 'FROM') stage = /\bAS\s+(\S+)/i.exec(args)?.[1] ?? '';
    out.push({ stage, keyword: keyword!.toUpperCase(), args });
  }
  return out;
}

const instructions = parse(dockerfile);
const nodeVersionArg = /ARG NODE_VERSION=(\S+)/.exec(dockerfile)?.[1];

describe('service/Dockerfile (static)', () => {
  it('is multi-stage and every stage is Node 24 slim, pinned to an exact version', () => {
    const froms = instructions.filter((i) => i.keyword === 'FROM');
    expect(froms.length).toBeGreaterThanOrEqual(2);
    expect(nodeVersionArg).toMatch(/^24\.\d+\.\d+$/);
    for (const from of froms) expect(from.args).toMatch(/^node:\$\{NODE_VERSION\}-[a-z]+-slim\b/);
    // The same Node as the project's pinned `node` dev dependency.
    const pinned = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies.node;
    expect(nodeVersionArg).toBe(pinned);
  });

  it('runs the final stage as a non-root user with node dist/main.js, the command of npm run start:prod', () => {
    const last = instructions.filter((i) => i.stage === instructions.at(-1)!.stage);
    const users = last.filter((i) => i.keyword === 'USER').map((i) => i.args);
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
    const cmd = last.find((i) => i.keyword === 'CMD');
    const startProd = (JSON.parse(readFileSync(join(root, 'service/package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts['start:prod']!;
    expect(startProd).toMatch(/^node (.+ )?dist\/main\.js$/);
    expect(JSON.parse(cmd!.args)).toEqual(startProd.split(' '));
    expect(last.find((i) => i.keyword === 'WORKDIR')?.args).toBe('/app/service');
    expect(last.some((i) => i.keyword === 'EXPOSE' && i.args === '8080')).toBe(true);
  });

  it('ships production dependencies only: the runtime copies node_modules from a --omit=dev install', () => {
    const runs = instructions.filter((i) => i.keyword === 'RUN');
    const prodInstall = runs.find((i) => /npm ci\b.*-w service\b.*--omit=dev/.test(i.args));
    expect(prodInstall).toBeDefined();
    expect(prodInstall!.args).toContain('--ignore-scripts');
    const runtimeStage = instructions.at(-1)!.stage;
    const copies = instructions.filter((i) => i.stage === runtimeStage && i.keyword === 'COPY');
    for (const copy of copies.filter((c) => c.args.includes('node_modules'))) {
      expect(copy.args).toContain(`--from=${prodInstall!.stage}`);
    }
    // Nothing in the runtime stage installs packages, and the build stage's tree is not copied wholesale.
    expect(instructions.some((i) => i.stage === runtimeStage && i.keyword === 'RUN' && /npm (ci|install)/.test(i.args))).toBe(false);
    expect(copies.some((c) => c.args.includes('--from=build') && c.args.includes('node_modules'))).toBe(false);
    expect(instructions.some((i) => i.stage === 'build' && i.keyword === 'RUN' && i.args.includes('tsc -p service/tsconfig.build.json'))).toBe(true);
  });

  it('sends only what the build copies (Dockerfile.dockerignore), never secrets or local databases', () => {
    const ignore = readFileSync(join(root, 'service/Dockerfile.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    expect(ignore[0]).toBe('*');
    expect(ignore.slice(1).every((l) => l.startsWith('!'))).toBe(true);
    for (const copy of instructions.filter((i) => i.keyword === 'COPY' && !i.args.includes('--from'))) {
      const sources = copy.args.split(/\s+/).slice(0, -1);
      for (const source of sources) expect(ignore).toContain(source.startsWith('service/src') ? '!service/src/**' : `!${source.replace(/\/$/, '')}`);
    }
  });
});

describe('the image has every package the service imports', () => {
  it('every runtime import under service/src is a node: builtin or a dependency in service/package.json', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'service/package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    const deps = new Set(Object.keys(pkg.dependencies ?? {}));
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (path.endsWith('.ts')) files.push(path);
      }
    };
    walk(join(root, 'service/src'));
    const missing = new Set<string>();
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      // Static imports/exports (multi-line too) that are not `import type`/`export type`, and dynamic import('…').
      const specifiers = [
        ...[...text.matchAll(/(?:^|\n)\s*(?:import|export)\s+(?!type\b)[^;]*?\bfrom\s+'([^']+)'/g)].map((m) => m[1]!),
        ...[...text.matchAll(/(?:^|\n)\s*import\s+'([^']+)'/g)].map((m) => m[1]!),
        ...[...text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)].map((m) => m[1]!),
      ];
      for (const spec of specifiers) {
        if (spec.startsWith('.') || spec.startsWith('node:')) continue;
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        if (!deps.has(name)) missing.add(`${name} (${file.slice(root.length + 1)})`);
      }
    }
    expect([...missing], 'add these to "dependencies" in service/package.json, or the container image (npm ci -w service --omit=dev) will not have them').toEqual([]);
  });
});

describe('what the image does, without Docker', () => {
  const work = mkdtempSync(join(tmpdir(), 'scim-image-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('compiles with tsconfig.build.json and `node dist/main.js` serves probes and metrics, then stops on SIGTERM', async () => {
    const require = createRequire(import.meta.url);
    const tscJs = require.resolve('typescript/bin/tsc');
    const outDir = join(work, 'service/dist');
    await new Promise<void>((done, fail) => {
      execFile(process.execPath, [tscJs, '-p', join(root, 'service/tsconfig.build.json'), '--outDir', outDir], { cwd: root }, (error, stdout) => {
        if (error) fail(new Error(`tsc -p service/tsconfig.build.json failed:\n${stdout}`));
        else done();
      });
    });
    expect(existsSync(join(outDir, 'main.js'))).toBe(true);
    symlinkSync(join(root, 'node_modules'), join(work, 'node_modules'), 'dir');

    const service = await spawnListening(['dist/main.js'], {
      cwd: join(work, 'service'),
      env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', DATABASE_URL: 'sqlite:./data/scim.db', LOG_LEVEL: 'info', SCIM_TENANT: 'contoso', SCIM_TOKEN: 'boot-token-for-image-test' },
    });
    const { url, child } = service;
    try {
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      expect(await (await fetch(`${url}/metrics`)).text()).toContain('scim_http_requests_total');
      const scim = await fetch(`${url}/scim/contoso/Users?filter=userName+eq+%22nobody%22`, { headers: { authorization: 'Bearer boot-token-for-image-test' } });
      expect(scim.status).toBe(200);
      expect(existsSync(join(work, 'service/data/scim.db'))).toBe(true);
      child.kill('SIGTERM');
      expect(await service.exited).toBe(0);
      expect(service.output()).not.toContain('boot-token-for-image-test');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 120_000);
});
