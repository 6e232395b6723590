/** Pulumi.yaml and policy/PulumiPolicy.yaml agree with the code: project name = config namespace, ESM TypeScript via tsx. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT, stackConfig } from './stack.js';

const load = (path: string) => parse(readFileSync(`${ROOT}${path}`, 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { type: string; devDependencies: Record<string, string>; dependencies: Record<string, string> };

describe('Pulumi project files', () => {
  it('Pulumi.yaml: nodejs runtime running index.ts through tsx (the package is ESM)', () => {
    const project = load('Pulumi.yaml');
    expect(project.name).toBe('entra-scim');
    expect(project.runtime.name).toBe('nodejs');
    expect(project.main).toBe('index.ts');
    expect(project.runtime.options.nodeargs).toContain('--import tsx');
    expect(project.runtime.options.typescript).toBe(false);
    expect(pkg.type).toBe('module');
    expect({ ...pkg.dependencies, ...pkg.devDependencies }).toHaveProperty('tsx');
  });

  it('stack files only use the project namespace and provider namespaces', () => {
    for (const stack of ['dev', 'prod']) {
      for (const key of Object.keys(stackConfig(stack))) expect(key).toMatch(/^(entra-scim|azure-native|azuread):/);
    }
  });

  it('policy/PulumiPolicy.yaml runs policy/index.ts the same way', () => {
    const pack = load('policy/PulumiPolicy.yaml');
    expect(pack.runtime.name).toBe('nodejs');
    expect(pack.main).toBe('index.ts');
    expect(pack.runtime.options.nodeargs).toContain('--import tsx');
  });
});
