/**
 * Assertions shared by the dev and prod stack tests: the whole program, with each stack's real
 * config file, satisfies the contract of docs/architecture.md ("Pulumi stack outputs") and the
 * issue's security requirements.
 */
import { expect, it } from 'vitest';
import { appRoles } from '../../provisioning/index.js';
import { TENANT_ID, mockPassword, plainOccurrences, unwrap, type CapturedResource } from './harness.js';
import type { StackRun } from './stack.js';

type Plain = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function ofType(run: StackRun, type: string): CapturedResource[] {
  return run.resources.filter((r) => r.type === type);
}
function single(run: StackRun, type: string): CapturedResource {
  const found = ofType(run, type);
  expect(found, type).toHaveLength(1);
  return found[0];
}

export function stackSuite(load: () => StackRun): void {
  it('exports exactly the outputs the scripts read, in the documented formats', () => {
    const { outputs, stack } = load();
    expect(Object.keys(outputs).sort()).toEqual(
      // The six of docs/architecture.md, plus serviceImage which the workflows feed back into previews.
      ['applicationClientId', 'containerAppFqdn', 'provisioningJobId', 'scimTokenSecretUri', 'servicePrincipalObjectId', 'tenantUrl', 'serviceImage'].sort(),
    );
    expect(outputs.serviceImage.value).toBe(load().config['entra-scim:image']);
    const scimTenant = String(load().config['entra-scim:scimTenant']);
    expect(outputs.tenantUrl.value).toBe(`https://${String(outputs.containerAppFqdn.value)}/scim/${scimTenant}`);
    expect(outputs.servicePrincipalObjectId.value).toMatch(/^[0-9a-f-]{36}$/);
    expect(outputs.applicationClientId.value).toMatch(/^[0-9a-f-]{36}$/);
    expect(outputs.provisioningJobId.value).toMatch(/^scim\.[0-9a-f]{32}\.[0-9a-f-]{36}$/);
    expect(outputs.scimTokenSecretUri.value).toMatch(/^https:\/\/[^/]+\.vault\.azure\.net\/secrets\/scim-token$/);
    for (const o of Object.values(outputs)) expect(o.secret).toBe(false);
    expect(stack).toMatch(/^(dev|prod)$/);
  });

  it('builds the Entra app from the non-gallery template with the roles of provisioning/', () => {
    const run = load();
    const app = unwrap(single(run, 'azuread:index/application:Application').inputs) as Plain;
    expect(app.templateId).toBe('8adf8e6e-67b2-4cf2-a259-e3dc5476c621');
    expect(app.featureTags).toEqual([{ enterprise: true, customSingleSignOn: true }]);
    expect(app.displayName).toBe(run.config['entra-scim:displayName']);
    expect(app.appRoles.map((r: Plain) => [r.id, r.value])).toEqual(appRoles.map((r) => [r.id, r.value]));
    const deployer = app.owners[0] as string;
    expect(app.owners).toEqual([deployer, ...(run.config['entra-scim:owners'] as string[])]);
    const sp = unwrap(single(run, 'azuread:index/servicePrincipal:ServicePrincipal').inputs) as Plain;
    expect(sp).toMatchObject({ useExisting: true, appRoleAssignmentRequired: true, featureTags: [{ enterprise: true, customSingleSignOn: true }] });
  });

  it('assigns every configured (group, role) once, named from the group key and role value', () => {
    const run = load();
    const configured = run.config['entra-scim:groupAssignments'] as Record<string, { objectId: string; roles: string[] }>;
    const expected = Object.entries(configured).flatMap(([key, g]) =>
      g.roles.map((role) => ({
        name: `entra-${run.stack}-assign-${key}-${role.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}`,
        principalObjectId: g.objectId,
        appRoleId: appRoles.find((r) => r.value === role)?.id,
      })),
    );
    const actual = ofType(run, 'azuread:index/appRoleAssignment:AppRoleAssignment').map((a) => ({
      name: a.name,
      principalObjectId: a.inputs.principalObjectId,
      appRoleId: a.inputs.appRoleId,
    }));
    expect(actual.sort((a, b) => a.name.localeCompare(b.name))).toEqual(expected.sort((a, b) => a.name.localeCompare(b.name)));
  });

  it('creates the scim job on /servicePrincipals/{id} with enabled from config, and the secret with BaseAddress = tenant URL', () => {
    const run = load();
    const job = single(run, 'azuread:index/synchronizationJob:SynchronizationJob');
    expect(job.inputs.templateId).toBe('scim');
    expect(job.inputs.servicePrincipalId).toMatch(/^\/servicePrincipals\/[0-9a-f-]{36}$/);
    expect(job.inputs.enabled).toBe(run.config['entra-scim:provisioningEnabled']);
    const secret = single(run, 'azuread:index/synchronizationSecret:SynchronizationSecret');
    expect(secret.inputs.servicePrincipalId).toBe(job.inputs.servicePrincipalId);
    const creds = unwrap(secret.inputs.credentials) as Array<{ key: string; value: string }>;
    expect(creds.find((c) => c.key === 'BaseAddress')?.value).toBe(run.outputs.tenantUrl.value);
    expect(creds.find((c) => c.key === 'SecretToken')?.value).toBe(mockPassword(`scim-${run.stack}-token`));
    const notify = creds.find((c) => c.key === 'SyncNotificationSettings');
    if (run.config['entra-scim:syncNotificationEmail']) {
      expect(JSON.parse(String(notify?.value))).toMatchObject({ Enabled: true, Recipients: run.config['entra-scim:syncNotificationEmail'] });
    } else {
      expect(notify).toBeUndefined();
    }
  });

  it('runs the configured image digest with HTTPS-only ingress, minReplicas >= 1 and Key Vault secrets only', () => {
    const run = load();
    const app = unwrap(single(run, 'azure-native:app:ContainerApp').inputs) as Plain;
    expect(app.template.containers[0].image).toBe(run.config['entra-scim:image']);
    expect(app.configuration.ingress).toMatchObject({ external: true, allowInsecure: false });
    expect(app.template.scale.minReplicas).toBe(run.config['entra-scim:minReplicas']);
    expect(app.template.scale.maxReplicas).toBe(run.config['entra-scim:maxReplicas']);
    expect(app.template.scale.minReplicas).toBeGreaterThanOrEqual(1);
    for (const s of app.configuration.secrets as Plain[]) {
      expect(s.keyVaultUrl).toMatch(/^https:\/\/[^/]+\.vault\.azure\.net\/secrets\//);
      expect(s.value).toBeUndefined();
    }
    const vault = unwrap(single(run, 'azure-native:keyvault:Vault').inputs) as Plain;
    expect(vault.properties).toMatchObject({ enableRbacAuthorization: true, tenantId: TENANT_ID });
  });

  it('has PostgreSQL exactly when maxReplicas > 1', () => {
    const run = load();
    const wantsPostgres = Number(run.config['entra-scim:maxReplicas']) > 1;
    const pg = run.resources.filter((r) => r.type.startsWith('azure-native:dbforpostgresql:'));
    const env = (unwrap(single(run, 'azure-native:app:ContainerApp').inputs) as Plain).template.containers[0].env as Plain[];
    if (wantsPostgres) {
      expect(ofType(run, 'azure-native:dbforpostgresql:Server')).toHaveLength(1);
      expect(env.find((e) => e.name === 'DATABASE_URL')).toEqual({ name: 'DATABASE_URL', secretRef: 'database-url' });
    } else {
      expect(pg).toEqual([]);
      expect(env.find((e) => e.name === 'DATABASE_URL')).toBeUndefined();
    }
  });

  it('never carries a generated secret in plain text in any captured input', () => {
    const run = load();
    const secrets = run.resources
      .filter((r) => r.type === 'random:index/randomPassword:RandomPassword')
      .map((r) => String(r.state.result));
    expect(secrets.length).toBeGreaterThanOrEqual(1);
    const everything = run.resources.map((r) => ({ [`${r.type}::${r.name}`]: r.inputs }));
    for (const s of secrets) {
      expect(JSON.stringify(everything)).toContain(s);
      expect(plainOccurrences(everything, s)).toEqual([]);
      expect(JSON.stringify(run.outputs)).not.toContain(s); // stack outputs are printed by CI
    }
  });

  it('lets the deploying identity read the vault secrets (verify-provisioning in CI)', () => {
    const run = load();
    const reader = run.resources.find((r) => r.name === `scim-${run.stack}-kv-reader-deployer`);
    expect(reader?.inputs.roleDefinitionId).toMatch(/\/roleDefinitions\/4633458b-17de-408a-b874-0445c86b69e6$/);
    expect(reader?.inputs.principalId).toMatch(/^[0-9a-f-]{36}$/);
    expect(reader?.inputs.scope).toBe(single(run, 'azure-native:keyvault:Vault').id);
  });

  it('keeps (type, name) pairs unique', () => {
    const keys = load().resources.map((r) => `${r.type}::${r.name}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
}
