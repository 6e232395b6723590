/** The policy pack on all resources of the prod stack (Pulumi.prod.yaml, program run against mocks). */
import { beforeAll, describe, expect, it } from 'vitest';
import { runStack, type StackRun } from '../iac/stack.js';
import { unwrap } from '../iac/harness.js';
import { policies } from '../../policy/policies.js';
import { stackPolicySuite } from './stack-policies.js';

let run: StackRun;
beforeAll(async () => {
  run = await runStack('prod');
});

describe('policy pack on stack prod', () => {
  stackPolicySuite(() => run);

  it('prod has PostgreSQL with password auth off, and the rule would catch it being switched on', () => {
    const server = run.resources.find((r) => r.type === 'azure-native:dbforpostgresql:Server')!;
    const props = unwrap(server.inputs) as Record<string, unknown>;
    const rule = policies.find((p) => p.name === 'postgres-password-auth-off-in-production')!;
    expect(rule.check({ type: server.type, props, stack: 'prod' })).toEqual([]);
    const switched = { ...props, authConfig: { ...(props.authConfig as object), passwordAuth: 'Enabled' } };
    expect(rule.check({ type: server.type, props: switched, stack: 'prod' })).toHaveLength(1);
  });
});
