/** Runs every policy on every resource of one stack's program run (captured from the mocks). */
import { expect, it } from 'vitest';
import { policies } from '../../policy/policies.js';
import { unwrap } from '../iac/harness.js';
import type { StackRun } from '../iac/stack.js';

export function stackPolicySuite(load: () => StackRun): void {
  it('every policy passes on every resource of the stack', () => {
    const run = load();
    expect(run.resources.length).toBeGreaterThan(10);
    const found: string[] = [];
    for (const resource of run.resources) {
      const props = unwrap(resource.inputs) as Record<string, unknown>;
      for (const policy of policies) {
        for (const message of policy.check({ type: resource.type, props, stack: run.stack })) {
          found.push(`${policy.name} on ${resource.type}::${resource.name}: ${message}`);
        }
      }
    }
    expect(found).toEqual([]);
  });

  it('the policies are not vacuous on this stack: each resource type they guard is present', () => {
    const types = new Set(load().resources.map((r) => r.type));
    for (const t of [
      'azure-native:app:ContainerApp',
      'azuread:index/synchronizationJob:SynchronizationJob',
      'azuread:index/synchronizationSecret:SynchronizationSecret',
      'azuread:index/servicePrincipal:ServicePrincipal',
    ]) {
      expect(types.has(t), t).toBe(true);
    }
  });
}
