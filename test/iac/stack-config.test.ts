/** components/stack-config.ts: the stack configuration is validated once, with errors that say what to fix. */
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, readStackConfig, rejectUnknownKeys, type ConfigSource } from '../../components/stack-config.js';
import { stackConfig } from './stack.js';

/** A ConfigSource over a Pulumi.<stack>.yaml config block, the way pulumi.Config returns values (JSON for objects). */
function source(config: Record<string, unknown>): ConfigSource {
  return {
    get(key) {
      const v = config[`entra-scim:${key}`];
      if (v === undefined) return undefined;
      return typeof v === 'string' ? v : JSON.stringify(v);
    },
  };
}
const dev = stackConfig('dev');
const prod = stackConfig('prod');
const read = (c: Record<string, unknown>) => readStackConfig(source(c), 'westeurope');

describe('readStackConfig', () => {
  it('reads the checked-in dev and prod stacks', () => {
    const d = read(dev);
    expect(d).toMatchObject({ minReplicas: 1, maxReplicas: 1, provisioningEnabled: false, logLevel: 'debug', location: 'westeurope' });
    expect(d.postgres).toBeUndefined();
    expect(Object.keys(d.groupAssignments)).toEqual(['signpath-admins', 'signpath-developers']);
    const p = read(prod);
    expect(p.postgres).toEqual({
      skuName: 'Standard_D2ds_v5',
      skuTier: 'GeneralPurpose',
      storageSizeGb: 64,
      version: '16',
      authentication: 'entra',
      backupRetentionDays: 14,
    });
    expect(p.syncNotificationEmail).toBe('identity-ops@contoso.com');
  });

  it.each([
    [{ 'entra-scim:displayName': undefined }, /"entra-scim:displayName": is required/],
    [{ 'entra-scim:maxReplicas': 3 }, /"entra-scim:postgres": is required when maxReplicas \(3\) > 1/],
    [{ 'entra-scim:minReplicas': 0 }, /"entra-scim:minReplicas": must be an integer >= 1/],
    [{ 'entra-scim:minReplicas': 2, 'entra-scim:maxReplicas': 1 }, /"entra-scim:maxReplicas": must be an integer >= minReplicas \(2\)/],
    [{ 'entra-scim:logLevel': 'loud' }, /"entra-scim:logLevel": must be one of/],
    [{ 'entra-scim:provisioningEnabled': 'yes' }, /"entra-scim:provisioningEnabled": must be true or false/],
    [{ 'entra-scim:owners': ['not-a-guid'] }, /"entra-scim:owners": must be a list of object ids/],
    [{ 'entra-scim:groupAssignments': { ops: { objectId: 'x', roles: ['A'] } } }, /"entra-scim:groupAssignments.ops.objectId": must be the group's object id/],
    [
      { 'entra-scim:groupAssignments': { ops: { objectId: '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0', roles: [] } } },
      /"entra-scim:groupAssignments.ops.roles": must be a non-empty list/,
    ],
    [{ 'entra-scim:registry': { server: 'x.azurecr.io', resourceId: '/subscriptions/x/resourceGroups/y' } }, /"entra-scim:registry.resourceId": must be a container registry resource id/],
    [{ 'entra-scim:postgres': { authentication: 'kerberos' }, 'entra-scim:maxReplicas': 2 }, /"entra-scim:postgres.authentication": must be "entra" or "password"/],
  ])('rejects %j', (override, message) => {
    expect(() => read({ ...dev, ...override })).toThrow(message);
  });

  it('requires a location', () => {
    expect(() => readStackConfig(source(dev), undefined)).toThrow(/azure-native:location/);
  });

  it('knows every key the checked-in stacks use and rejects typos', () => {
    for (const c of [dev, prod]) expect(() => rejectUnknownKeys(Object.keys(c))).not.toThrow();
    expect(() => rejectUnknownKeys(['entra-scim:maxReplica', 'azure-native:location'])).toThrow(/"entra-scim:maxReplica": is not a setting of this program/);
    expect(() => rejectUnknownKeys(['azure-native:whatever'])).not.toThrow();
    expect(CONFIG_KEYS).toContain('postgres');
  });
});
