// Docs match the code: every environment variable the service reads, every admin route, every CLI
// command and every metric is documented in service/README.md or docs/service-operations.md.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { createAdminAuthorizer, registerAdminRoutes } from '../../src/admin/index.js';
import { usage } from '../../src/cli/commands.js';
import { registerMetrics } from '../../src/observability/index.js';
import { openSqliteStorage } from '../../src/storage/sqlite/engine.js';

const root = resolve(import.meta.dirname, '../../..');
const readme = readFileSync(join(root, 'service/README.md'), 'utf8');
const operations = readFileSync(join(root, 'docs/service-operations.md'), 'utf8');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('service/README.md matches the code', () => {
  it('documents every environment variable read under service/src', () => {
    const names = new Set<string>();
    for (const file of sources(join(root, 'service/src'))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\benv(?:\.|\[['"])([A-Z][A-Z0-9_]{2,})|\benv, '([A-Z][A-Z0-9_]{2,})'/g)) names.add((m[1] ?? m[2])!);
    }
    expect(names.size).toBeGreaterThan(10);
    const missing = [...names].filter((n) => !readme.includes(`\`${n}\``));
    expect(missing, 'add a row for each of these variables to the configuration table in service/README.md').toEqual([]);
  });

  it('documents every admin route', async () => {
    const app = Fastify();
    const routes: string[] = [];
    app.addHook('onRoute', (r) => {
      for (const method of [r.method].flat()) if (method !== 'HEAD') routes.push(`${method} ${r.url.replace(/:(\w+)/g, '{$1}')}`);
    });
    const storage = openSqliteStorage(':memory:');
    await registerAdminRoutes(app, { storage, authorize: createAdminAuthorizer(undefined) });
    await app.ready();
    await app.close();
    await storage.close();
    expect(routes.length).toBeGreaterThanOrEqual(13);
    const missing = routes.filter((r) => !readme.includes(`\`${r}\``));
    expect(missing).toEqual([]);
  });

  it('documents every admin CLI command, and the CLI help names them too', () => {
    const commands = ['tenant create', 'tenant list', 'tenant delete', 'token issue', 'token list', 'token revoke', 'policies get', 'policies set', 'schemas get', 'schemas set', 'audit list'];
    for (const c of commands) {
      expect(readme).toContain(`npm run scim-admin -- ${c}`);
      expect(usage).toContain(c);
    }
  });

  it('documents every metric the service defines', async () => {
    const app = Fastify();
    const { registry } = registerMetrics(app, { defaultMetrics: false });
    const names = (await registry.getMetricsAsJSON()).map((m) => m.name);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(operations).toContain(`\`${name}\``);
    await app.close();
  });
});
