/**
 * ScimService against Pulumi mocks: one replica (SQLite, no PostgreSQL), three replicas with
 * PostgreSQL password auth, three replicas with Microsoft Entra auth only. Environment variables
 * follow docs/architecture.md ("Environment (process mode)") and the probes `/healthz` / `/readyz`.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type * as Component from '../../components/scim-service.js';
import {
  MOCK_SHARED_KEY,
  SUBSCRIPTION_ID,
  TENANT_ID,
  installMocks,
  mockPassword,
  plainOccurrences,
  resolve,
  settle,
  unwrap,
  type CapturedResource,
} from './harness.js';

const captured: CapturedResource[] = installMocks({ stack: 'unit' });
let mod: typeof Component;
const services: Record<string, Component.ScimService> = {};
const DIGEST = `sha256:${'a'.repeat(64)}`;

function baseArgs(overrides: Partial<Component.ScimServiceArgs> = {}): Component.ScimServiceArgs {
  return {
    location: 'westeurope',
    tenantId: TENANT_ID,
    subscriptionId: SUBSCRIPTION_ID,
    image: `myacr.azurecr.io/entra-scim@${DIGEST}`,
    registry: { server: 'myacr.azurecr.io', resourceId: `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/shared/providers/Microsoft.ContainerRegistry/registries/myacr` },
    scimTenant: 'signpath',
    logLevel: 'info',
    minReplicas: 1,
    maxReplicas: 1,
    concurrentRequests: 50,
    cpu: 0.5,
    memory: '1Gi',
    logRetentionDays: 30,
    keyVaultPurgeProtection: false,
    ...overrides,
  };
}
const postgres = (authentication: 'password' | 'entra'): Component.PostgresArgs => ({
  skuName: 'Standard_B1ms',
  skuTier: 'Burstable',
  storageSizeGb: 32,
  version: '16',
  authentication,
  backupRetentionDays: 7,
});

function of(prefix: string): CapturedResource[] {
  return captured.filter((r) => r.name === prefix || r.name.startsWith(`${prefix}-`));
}
function one(prefix: string, type: string): CapturedResource {
  const found = of(prefix).filter((r) => r.type === type);
  expect(found, `${prefix} ${type}`).toHaveLength(1);
  return found[0];
}
type Plain = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
function appOf(prefix: string): Plain {
  return unwrap(one(prefix, 'azure-native:app:ContainerApp').inputs) as Plain;
}
function envOf(prefix: string): Record<string, Plain> {
  return Object.fromEntries((appOf(prefix).template.containers[0].env as Plain[]).map((e) => [e.name, e]));
}

beforeAll(async () => {
  mod = await import('../../components/scim-service.js');
  services.one = new mod.ScimService('one', baseArgs());
  services.pw = new mod.ScimService('pw', baseArgs({ maxReplicas: 3, postgres: postgres('password'), keyVaultPurgeProtection: true }));
  services.entra = new mod.ScimService('entra', baseArgs({ minReplicas: 2, maxReplicas: 5, postgres: postgres('entra') }));
  for (const s of Object.values(services)) await resolve(s.tenantUrl);
  await settle();
});

describe('ScimService', () => {
  it('creates the resource group, Log Analytics and the managed environment wired to it', () => {
    const ws = one('one', 'azure-native:operationalinsights:Workspace');
    expect(ws.inputs.retentionInDays).toBe(30);
    expect(ws.inputs.sku).toEqual({ name: 'PerGB2018' });
    const env = one('one', 'azure-native:app:ManagedEnvironment');
    const logs = unwrap(env.inputs.appLogsConfiguration) as Plain;
    expect(logs.destination).toBe('log-analytics');
    expect(logs.logAnalyticsConfiguration.customerId).toBe(ws.state.customerId);
    expect(logs.logAnalyticsConfiguration.sharedKey).toBe(MOCK_SHARED_KEY);
    expect(one('one', 'azure-native:resources:ResourceGroup').inputs.location).toBe('westeurope');
  });

  it('grants AcrPull on the registry and Key Vault Secrets User on the vault to the user-assigned identity, before the app', () => {
    const identity = one('one', 'azure-native:managedidentity:UserAssignedIdentity');
    const assignments = of('one').filter((r) => r.type === 'azure-native:authorization:RoleAssignment');
    expect(assignments.map((a) => a.name).sort()).toEqual(['one-acr-pull', 'one-kv-secrets-user']);
    const acr = assignments.find((a) => a.name === 'one-acr-pull')!;
    expect(acr.inputs.roleDefinitionId).toBe(
      `/subscriptions/${SUBSCRIPTION_ID}/providers/Microsoft.Authorization/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d`,
    );
    expect(acr.inputs.scope).toMatch(/\/Microsoft\.ContainerRegistry\/registries\/myacr$/);
    expect(acr.inputs.principalId).toBe(identity.state.principalId);
    expect(acr.inputs.principalType).toBe('ServicePrincipal');
    const kv = assignments.find((a) => a.name === 'one-kv-secrets-user')!;
    expect(kv.inputs.roleDefinitionId).toMatch(/\/roleDefinitions\/4633458b-17de-408a-b874-0445c86b69e6$/);
    expect(kv.inputs.scope).toBe(one('one', 'azure-native:keyvault:Vault').id);
    // Registration order follows dependencies: the app is registered after both grants resolved.
    const order = captured.map((r) => r.name);
    expect(order.indexOf('one-app')).toBeGreaterThan(order.indexOf('one-acr-pull'));
    expect(order.indexOf('one-app')).toBeGreaterThan(order.indexOf('one-kv-secrets-user'));
  });

  it('creates an RBAC Key Vault holding the generated token as a secret', async () => {
    const vault = unwrap(one('one', 'azure-native:keyvault:Vault').inputs) as Plain;
    expect(vault.properties.enableRbacAuthorization).toBe(true);
    expect(vault.properties.tenantId).toBe(TENANT_ID);
    expect(vault.properties.enablePurgeProtection).toBeUndefined();
    // Global name, 3-24 characters, starts with a letter, no consecutive hyphens, stable random suffix.
    expect(vault.vaultName).toMatch(/^kv-one-[a-z0-9]{6}$/);

    expect((unwrap(one('pw', 'azure-native:keyvault:Vault').inputs) as Plain).properties.enablePurgeProtection).toBe(true);
    const secret = one('one', 'azure-native:keyvault:Secret');
    expect(secret.inputs.secretName).toBe('scim-token');
    expect(unwrap(secret.inputs.properties)).toMatchObject({ value: mockPassword('one-token') });
    const token = await resolve(services.one.scimToken);
    expect(token).toEqual({ value: mockPassword('one-token'), secret: true });
    expect((await resolve(services.one.scimTokenSecretUri)).value).toMatch(/^https:\/\/.+\.vault\.azure\.net\/secrets\/scim-token$/);
  });

  it('runs the image by digest with the token as a Key Vault reference and the documented environment', () => {
    const app = appOf('one');
    const identity = one('one', 'azure-native:managedidentity:UserAssignedIdentity');
    expect(app.template.containers[0].image).toBe(`myacr.azurecr.io/entra-scim@${DIGEST}`);
    expect(app.identity).toEqual({ type: 'UserAssigned', userAssignedIdentities: [identity.id] });
    expect(app.configuration.registries).toEqual([{ server: 'myacr.azurecr.io', identity: identity.id }]);
    expect(app.configuration.secrets).toEqual([
      { name: 'scim-token', keyVaultUrl: expect.stringMatching(/\/secrets\/scim-token$/), identity: identity.id },
    ]);
    for (const s of app.configuration.secrets) expect(s.value).toBeUndefined();
    const env = envOf('one');
    expect(env.PORT).toEqual({ name: 'PORT', value: '8080' });
    expect(env.SCIM_TENANT.value).toBe('signpath');
    expect(env.SCIM_TOKEN).toEqual({ name: 'SCIM_TOKEN', secretRef: 'scim-token' });
    expect(env.LOG_LEVEL.value).toBe('info');
    expect(env.AZURE_CLIENT_ID.value).toBe(identity.state.clientId);
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.SCIM_SQLITE_PATH.value).toBe('/tmp/scim.db');
  });

  it('probes /healthz and /readyz, HTTPS-only external ingress, minReplicas >= 1 and an HTTP scale rule', () => {
    const app = appOf('one');
    const probes = app.template.containers[0].probes as Plain[];
    expect(probes.map((p) => [p.type, p.httpGet.path, p.httpGet.port])).toEqual([
      ['Startup', '/healthz', 8080],
      ['Liveness', '/healthz', 8080],
      ['Readiness', '/readyz', 8080],
    ]);
    expect(app.configuration.ingress).toMatchObject({ external: true, allowInsecure: false, targetPort: 8080 });
    expect(app.template.scale).toEqual({
      minReplicas: 1,
      maxReplicas: 1,
      rules: [{ name: 'http-concurrency', http: { metadata: { concurrentRequests: '50' } } }],
    });
  });

  it('exports the FQDN and tenant URL https://<fqdn>/scim/<tenant>', async () => {
    expect((await resolve(services.one.containerAppFqdn)).value).toMatch(/\.azurecontainerapps\.io$/);
    expect((await resolve(services.one.tenantUrl)).value).toMatch(/^https:\/\/[^/]+\.azurecontainerapps\.io\/scim\/signpath$/);
  });

  it('adds PostgreSQL exactly when maxReplicas > 1', () => {
    expect(of('one').filter((r) => r.type.startsWith('azure-native:dbforpostgresql:'))).toEqual([]);
    expect(services.one.postgresServer).toBeUndefined();
    for (const prefix of ['pw', 'entra']) {
      one(prefix, 'azure-native:dbforpostgresql:Server');
      const db = one(prefix, 'azure-native:dbforpostgresql:Database');
      expect(db.inputs.databaseName).toBe('scim');
      const tls = one(prefix, 'azure-native:dbforpostgresql:Configuration');
      expect(tls.inputs).toMatchObject({ configurationName: 'require_secure_transport', value: 'on' });
    }
  });

  it('password mode: secret generated admin password, DATABASE_URL from Key Vault with sslmode=require', async () => {
    const server = one('pw', 'azure-native:dbforpostgresql:Server');
    expect(server.inputs.authConfig).toMatchObject({ passwordAuth: 'Enabled' });
    expect(server.inputs.administratorLogin).toBe('scimadmin');
    const password = mockPassword('pw-pg-admin');
    expect(unwrap(server.inputs.administratorLoginPassword)).toBe(password);
    expect(plainOccurrences(server.inputs, password)).toEqual([]);
    const urlSecret = of('pw').find((r) => r.name === 'pw-database-url')!;
    expect(urlSecret.inputs.secretName).toBe('database-url');
    const url = (unwrap(urlSecret.inputs.properties) as Plain).value as string;
    expect(url).toBe(`postgres://scimadmin:${password}@${String(server.state.fullyQualifiedDomainName)}:5432/scim?sslmode=require`);
    expect(plainOccurrences(urlSecret.inputs, password)).toEqual([]);
    const env = envOf('pw');
    expect(env.DATABASE_URL).toEqual({ name: 'DATABASE_URL', secretRef: 'database-url' });
    expect(env.SCIM_SQLITE_PATH).toBeUndefined();
    expect(appOf('pw').configuration.secrets.map((s: Plain) => s.name)).toEqual(['scim-token', 'database-url']);
    expect(appOf('pw').template.scale.maxReplicas).toBe(3);
  });

  it('entra mode: password auth off, the identity is the Entra administrator, DATABASE_URL without a password', () => {
    const server = one('entra', 'azure-native:dbforpostgresql:Server');
    expect(server.inputs.authConfig).toMatchObject({ passwordAuth: 'Disabled', activeDirectoryAuth: 'Enabled', tenantId: TENANT_ID });
    expect(server.inputs.administratorLoginPassword).toBeUndefined();
    expect(of('entra').filter((r) => r.type === 'random:index/randomPassword:RandomPassword').map((r) => r.name)).toEqual(['entra-token']);
    const admin = one('entra', 'azure-native:dbforpostgresql:Administrator');
    const identity = one('entra', 'azure-native:managedidentity:UserAssignedIdentity');
    expect(admin.inputs).toMatchObject({ objectId: identity.state.principalId, principalType: 'ServicePrincipal' });
    const url = (unwrap(of('entra').find((r) => r.name === 'entra-database-url')!.inputs.properties) as Plain).value;
    expect(url).toMatch(/^postgres:\/\/entra-id@[^:]+:5432\/scim\?sslmode=require&auth=entra$/);
  });

  it('never puts a generated secret or the shared key into inputs in plain text', () => {
    for (const needle of [mockPassword('one-token'), mockPassword('pw-token'), mockPassword('entra-token'), mockPassword('pw-pg-admin'), MOCK_SHARED_KEY]) {
      expect(JSON.stringify(captured.map((r) => r.inputs))).toContain(needle);
      expect(plainOccurrences(captured.map((r) => ({ [`${r.type}::${r.name}`]: r.inputs })), needle)).toEqual([]);
    }
  });

  it('keeps (type, name) pairs unique and names children after the component', () => {
    const keys = captured.map((r) => `${r.type}::${r.name}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const r of captured) expect(r.name).toMatch(/^(one|pw|entra)(-|$)/);
  });

  it('rejects unsafe or inconsistent settings before registering anything', () => {
    const before = captured.length;
    expect(() => new mod.ScimService('bad', baseArgs({ image: 'myacr.azurecr.io/entra-scim:latest' }))).toThrow(/pinned by digest/);
    expect(() => new mod.ScimService('bad', baseArgs({ image: `other.azurecr.io/x@${DIGEST}` }))).toThrow(/not in registry/);
    expect(() => new mod.ScimService('bad', baseArgs({ minReplicas: 0 }))).toThrow(/minReplicas must be an integer >= 1/);
    expect(() => new mod.ScimService('bad', baseArgs({ maxReplicas: 2 }))).toThrow(/needs shared state/);
    expect(() => new mod.ScimService('bad', baseArgs({ scimTenant: 'a/b' }))).toThrow(/scimTenant/);
    expect(captured.length).toBe(before);
  });

  it('keeps Key Vault names within Azure\'s 3-24 characters for long stack names (registered last)', async () => {
    const long = new mod.ScimService('scim-production-westeurope', baseArgs());
    await resolve(long.tenantUrl);
    await settle();
    for (const v of captured.filter((r) => r.type === 'azure-native:keyvault:Vault')) {
      expect(String(v.inputs.vaultName)).toMatch(/^[a-z][a-z0-9-]{2,23}$/);
      expect(String(v.inputs.vaultName)).not.toContain('--');
    }
    expect(String(one('scim-production-westeurope', 'azure-native:keyvault:Vault').inputs.vaultName)).toMatch(/^kv-scimproductio-[a-z0-9]{6}$/);
  });
});
