/**
 * Runs the real program (index.ts) for one stack against the mocks, with the config of the
 * checked-in `Pulumi.<stack>.yaml`. One program run per test file (vitest isolates files).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { installMocks, resolve, settle, type CapturedResource } from './harness.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function stackConfig(stack: string): Record<string, unknown> {
  const doc = parse(readFileSync(`${ROOT}Pulumi.${stack}.yaml`, 'utf8')) as { config?: Record<string, unknown> };
  if (!doc.config) throw new Error(`Pulumi.${stack}.yaml has no config block`);
  return doc.config;
}

export interface StackRun {
  readonly stack: string;
  readonly config: Record<string, unknown>;
  readonly resources: CapturedResource[];
  /** The program's exports, resolved. */
  readonly outputs: Record<string, { value: unknown; secret: boolean }>;
}

export async function runStack(stack: string, overrides: Record<string, unknown> = {}): Promise<StackRun> {
  const config = { ...stackConfig(stack), ...overrides };
  const resources = installMocks({ stack, config });
  const program = (await import('../../index.js')) as Record<string, unknown>;
  const outputs: StackRun['outputs'] = {};
  for (const [name, value] of Object.entries(program)) {
    if (value && typeof value === 'object' && 'apply' in value) {
      outputs[name] = await resolve(value as import('@pulumi/pulumi').Output<unknown>);
    }
  }
  await settle();
  return { stack, config, resources, outputs };
}
