/** Each policy of policy/policies.ts on a compliant and a violating resource, through validateResource. */
import { describe, expect, it } from 'vitest';
import type { ResourceValidationArgs } from '@pulumi/policy';
import * as p from '../../policy/policies.js';

/** Runs a policy the way the engine does (validateResource + reportViolation) and returns the messages. */
async function violations(policy: p.EntraScimPolicy, type: string, props: Record<string, unknown>, stack = 'prod', config: p.PolicyConfig = {}): Promise<string[]> {
  const reported: string[] = [];
  const args = {
    type,
    props,
    urn: `urn:pulumi:${stack}::entra-scim::${type}::res`,
    name: 'res',
    getConfig: () => config,
  } as unknown as ResourceValidationArgs;
  const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
  for (const v of validations) await v?.(args, (message) => reported.push(message ?? ''));
  return reported;
}

const app = (overrides: { secrets?: unknown[]; registries?: unknown[]; ingress?: unknown; scale?: unknown } = {}) => ({
  configuration: {
    ingress: overrides.ingress ?? { external: true, allowInsecure: false },
    secrets: overrides.secrets ?? [{ name: 'scim-token', keyVaultUrl: 'https://kv.vault.azure.net/secrets/scim-token', identity: '/id' }],
    registries: overrides.registries ?? [{ server: 'acr.azurecr.io', identity: '/id' }],
  },
  template: { scale: overrides.scale ?? { minReplicas: 1, maxReplicas: 1 } },
});

describe('policies', () => {
  it('exports all seven policies with unique names, mandatory', () => {
    expect(p.policies.map((x) => x.name)).toEqual([
      'no-acr-admin-user',
      'container-app-secrets-from-key-vault',
      'https-only',
      'min-replicas-in-production',
      'provisioning-job-template-scim',
      'app-role-assignment-required',
      'postgres-password-auth-off-in-production',
    ]);
    for (const policy of p.policies) expect(policy.enforcementLevel).toBe('mandatory');
  });

  it('no-acr-admin-user', async () => {
    const t = 'azure-native:containerregistry:Registry';
    expect(await violations(p.noAcrAdminUser, t, { adminUserEnabled: false, sku: { name: 'Basic' } })).toEqual([]);
    expect(await violations(p.noAcrAdminUser, t, { adminUserEnabled: true })).toEqual([expect.stringMatching(/adminUserEnabled is true/)]);
  });

  it('container-app-secrets-from-key-vault', async () => {
    const t = 'azure-native:app:ContainerApp';
    expect(await violations(p.containerAppSecretsFromKeyVault, t, app())).toEqual([]);
    expect(await violations(p.containerAppSecretsFromKeyVault, t, app({ secrets: [{ name: 'scim-token', value: 'plain' }] }))).toEqual([
      expect.stringMatching(/secret "scim-token" has an inline value/),
    ]);
    expect(
      await violations(p.containerAppSecretsFromKeyVault, t, app({ secrets: [{ name: 'x', keyVaultUrl: 'https://example.com/x', identity: '/id' }] })),
    ).toEqual([expect.stringMatching(/is not a Key Vault secret URI/)]);
    expect(await violations(p.containerAppSecretsFromKeyVault, t, app({ registries: [{ server: 'acr.azurecr.io', username: 'u', passwordSecretRef: 'pw' }] }))).toEqual([
      expect.stringMatching(/uses a password/),
    ]);
  });

  it('https-only: ingress, tenant URL, PostgreSQL TLS', async () => {
    const t = 'azure-native:app:ContainerApp';
    expect(await violations(p.httpsOnly, t, app())).toEqual([]);
    expect(await violations(p.httpsOnly, t, app({ ingress: { external: true, allowInsecure: true } }))).toEqual([expect.stringMatching(/allowInsecure is true/)]);
    const s = 'azuread:index/synchronizationSecret:SynchronizationSecret';
    expect(await violations(p.httpsOnly, s, { credentials: [{ key: 'BaseAddress', value: 'https://x/scim/t' }] })).toEqual([]);
    expect(await violations(p.httpsOnly, s, { credentials: [{ key: 'BaseAddress', value: 'http://x/scim/t' }] })).toEqual([expect.stringMatching(/is not https/)]);
    const c = 'azure-native:dbforpostgresql:Configuration';
    expect(await violations(p.httpsOnly, c, { configurationName: 'require_secure_transport', value: 'on' })).toEqual([]);
    expect(await violations(p.httpsOnly, c, { configurationName: 'require_secure_transport', value: 'OFF' })).toEqual([expect.stringMatching(/must use TLS/)]);
  });

  it('min-replicas-in-production: prod only, absent counts as 0, productionStacks configurable', async () => {
    const t = 'azure-native:app:ContainerApp';
    expect(await violations(p.minReplicasInProduction, t, app({ scale: { minReplicas: 2, maxReplicas: 4 } }))).toEqual([]);
    expect(await violations(p.minReplicasInProduction, t, app({ scale: { minReplicas: 0, maxReplicas: 4 } }))).toEqual([expect.stringMatching(/minReplicas is 0/)]);
    expect(await violations(p.minReplicasInProduction, t, app({ scale: { maxReplicas: 4 } }))).toEqual([expect.stringMatching(/minReplicas is undefined/)]);
    expect(await violations(p.minReplicasInProduction, t, app({ scale: { minReplicas: 0 } }), 'dev')).toEqual([]);
    expect(await violations(p.minReplicasInProduction, t, app({ scale: { minReplicas: 0 } }), 'live', { productionStacks: ['live'] })).toHaveLength(1);
  });

  it('provisioning-job-template-scim', async () => {
    const t = 'azuread:index/synchronizationJob:SynchronizationJob';
    expect(await violations(p.provisioningJobTemplateScim, t, { templateId: 'scim', servicePrincipalId: '/servicePrincipals/x' })).toEqual([]);
    expect(await violations(p.provisioningJobTemplateScim, t, { templateId: 'customappsso' })).toEqual([expect.stringMatching(/templateId is "customappsso"/)]);
  });

  it('app-role-assignment-required', async () => {
    const t = 'azuread:index/servicePrincipal:ServicePrincipal';
    expect(await violations(p.appRoleAssignmentRequired, t, { appRoleAssignmentRequired: true })).toEqual([]);
    expect(await violations(p.appRoleAssignmentRequired, t, { appRoleAssignmentRequired: false })).toHaveLength(1);
    expect(await violations(p.appRoleAssignmentRequired, t, {})).toHaveLength(1);
  });

  it('postgres-password-auth-off-in-production', async () => {
    const t = 'azure-native:dbforpostgresql:Server';
    const entraOnly = { authConfig: { passwordAuth: 'Disabled', activeDirectoryAuth: 'Enabled' } };
    const withPassword = { authConfig: { passwordAuth: 'Enabled', activeDirectoryAuth: 'Enabled' }, administratorLogin: 'a', administratorLoginPassword: 'x' };
    expect(await violations(p.postgresPasswordAuthOffInProduction, t, entraOnly)).toEqual([]);
    expect(await violations(p.postgresPasswordAuthOffInProduction, t, withPassword)).toEqual([
      expect.stringMatching(/passwordAuth is "Enabled"/),
      expect.stringMatching(/administratorLoginPassword is set/),
    ]);
    expect(await violations(p.postgresPasswordAuthOffInProduction, t, withPassword, 'dev')).toEqual([]);
  });

  it('ignores resources of other types', async () => {
    for (const policy of p.policies) expect(await violations(policy, 'azure-native:resources:ResourceGroup', { location: 'westeurope' })).toEqual([]);
  });

  it('reads the stack from the URN', () => {
    expect(p.stackFromUrn('urn:pulumi:prod::entra-scim::azure-native:app:ContainerApp::x')).toBe('prod');
    expect(p.stackFromUrn('nonsense')).toBe('');
  });
});
