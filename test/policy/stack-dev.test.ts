/** The policy pack on all resources of the dev stack (Pulumi.dev.yaml, program run against mocks). */
import { beforeAll, describe, expect, it } from 'vitest';
import { runStack, type StackRun } from '../iac/stack.js';
import { unwrap } from '../iac/harness.js';
import { policies } from '../../policy/policies.js';
import { stackPolicySuite } from './stack-policies.js';

let run: StackRun;
beforeAll(async () => {
  run = await runStack('dev');
});

describe('policy pack on stack dev', () => {
  stackPolicySuite(() => run);

  it('dev has no PostgreSQL, and the production-only min-replicas rule does not apply to dev', () => {
    expect(run.resources.filter((r) => r.type === 'azure-native:dbforpostgresql:Server')).toEqual([]);
    const app = run.resources.find((r) => r.type === 'azure-native:app:ContainerApp')!;
    const props = unwrap(app.inputs) as Record<string, unknown>;
    const minReplicas = policies.find((p) => p.name === 'min-replicas-in-production')!;
    expect(minReplicas.check({ type: app.type, props, stack: 'dev' })).toEqual([]);
  });
});
