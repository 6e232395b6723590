import type { GroupAssignmentInput } from './entra-scim-app.js';
import type { PostgresArgs, ScimServiceArgs } from './scim-service.js';

/**
 * The stack configuration (`Pulumi.<stack>.yaml`, namespace `entra-scim:`), validated once in
 * index.ts and passed down. Every error names the key and says what to put there.
 */
export interface StackConfig {
  readonly displayName: string;
  /** Extra owners besides the deploying identity (object ids). */
  readonly owners: readonly string[];
  readonly groupAssignments: Readonly<Record<string, GroupAssignmentInput>>;
  readonly provisioningEnabled: boolean;
  readonly location: string;
  readonly image: string;
  readonly registry: ScimServiceArgs['registry'];
  readonly scimTenant: string;
  readonly logLevel: ScimServiceArgs['logLevel'];
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly concurrentRequests: number;
  readonly cpu: number;
  readonly memory: string;
  readonly logRetentionDays: number;
  readonly keyVaultPurgeProtection: boolean;
  readonly postgres?: PostgresArgs;
  readonly syncNotificationEmail?: string;
  /** Grant the deploying identity Key Vault Secrets User (CI's verify-provisioning reads the token). */
  readonly deployerReadsSecrets: boolean;
  readonly tags: Readonly<Record<string, string>>;
}

/** What index.ts hands over: `pulumi.Config` for the project namespace and the provider's location. */
export interface ConfigSource {
  get(key: string): string | undefined;
}

export class StackConfigError extends Error {
  constructor(key: string, message: string) {
    super(`Stack config "entra-scim:${key}": ${message}`);
    this.name = 'StackConfigError';
  }
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

function parseJson(key: string, raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw; // plain strings are stored unquoted
  }
}

function value(source: ConfigSource, key: string): unknown {
  const raw = source.get(key);
  return raw === undefined ? undefined : parseJson(key, raw);
}

function str(source: ConfigSource, key: string, fallback?: string): string {
  const v = source.get(key) ?? fallback;
  if (v === undefined || v.trim() === '') throw new StackConfigError(key, 'is required.');
  return v.trim();
}

function num(source: ConfigSource, key: string, fallback: number, check: (n: number) => boolean, rule: string): number {
  const v = value(source, key);
  const n = v === undefined ? fallback : typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n) || !check(n)) throw new StackConfigError(key, `must be ${rule}, got ${JSON.stringify(v)}.`);
  return n;
}

function bool(source: ConfigSource, key: string, fallback: boolean): boolean {
  const v = value(source, key);
  if (v === undefined) return fallback;
  if (typeof v === 'boolean') return v;
  throw new StackConfigError(key, `must be true or false, got ${JSON.stringify(v)}.`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseAssignments(v: unknown): Record<string, GroupAssignmentInput> {
  const key = 'groupAssignments';
  if (v === undefined) return {};
  if (!isRecord(v)) throw new StackConfigError(key, 'must map a group key to { objectId, roles: [...] }.');
  const out: Record<string, GroupAssignmentInput> = {};
  for (const [group, entry] of Object.entries(v)) {
    if (!isRecord(entry)) throw new StackConfigError(`${key}.${group}`, 'must be { objectId, roles: [...] }.');
    const { objectId, roles } = entry;
    if (typeof objectId !== 'string' || !GUID.test(objectId)) {
      throw new StackConfigError(`${key}.${group}.objectId`, `must be the group's object id (a GUID), got ${JSON.stringify(objectId)}.`);
    }
    if (!Array.isArray(roles) || roles.length === 0 || !roles.every((r) => typeof r === 'string' && r !== '')) {
      throw new StackConfigError(`${key}.${group}.roles`, 'must be a non-empty list of app role values.');
    }
    if (new Set(roles).size !== roles.length) throw new StackConfigError(`${key}.${group}.roles`, 'lists a role twice.');
    out[group] = { objectId, roles: roles as string[] };
  }
  return out;
}

function parsePostgres(v: unknown): PostgresArgs | undefined {
  const key = 'postgres';
  if (v === undefined) return undefined;
  if (!isRecord(v)) throw new StackConfigError(key, 'must be an object (see Pulumi.prod.yaml).');
  const authentication = v.authentication ?? 'entra';
  if (authentication !== 'password' && authentication !== 'entra') {
    throw new StackConfigError(`${key}.authentication`, `must be "entra" or "password", got ${JSON.stringify(authentication)}.`);
  }
  const skuTier = v.skuTier ?? 'Burstable';
  if (skuTier !== 'Burstable' && skuTier !== 'GeneralPurpose' && skuTier !== 'MemoryOptimized') {
    throw new StackConfigError(`${key}.skuTier`, `must be Burstable, GeneralPurpose or MemoryOptimized, got ${JSON.stringify(skuTier)}.`);
  }
  const intIn = (field: string, fallback: number, min: number, max: number): number => {
    const n = v[field] ?? fallback;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
      throw new StackConfigError(`${key}.${field}`, `must be an integer from ${min} to ${max}, got ${JSON.stringify(n)}.`);
    }
    return n;
  };
  return {
    skuName: typeof v.skuName === 'string' ? v.skuName : 'Standard_B1ms',
    skuTier,
    storageSizeGb: intIn('storageSizeGb', 32, 32, 16384),
    version: String(v.version ?? '16'),
    authentication,
    backupRetentionDays: intIn('backupRetentionDays', 7, 7, 35),
  };
}

/** Every key of the `entra-scim:` namespace; anything else is a typo that would silently be ignored. */
export const CONFIG_KEYS = [
  'displayName', 'owners', 'groupAssignments', 'provisioningEnabled', 'syncNotificationEmail', 'location', 'image',
  'registry', 'scimTenant', 'logLevel', 'minReplicas', 'maxReplicas', 'concurrentRequests', 'cpu', 'memory',
  'logRetentionDays', 'keyVaultPurgeProtection', 'deployerReadsSecrets', 'postgres', 'tags',
] as const;

/** Throws on `entra-scim:` keys this program does not read (e.g. `entra-scim:maxReplica`). */
export function rejectUnknownKeys(fullKeys: readonly string[], namespace = 'entra-scim'): void {
  const unknown = fullKeys
    .filter((k) => k.startsWith(`${namespace}:`))
    .map((k) => k.slice(namespace.length + 1))
    .filter((k) => !(CONFIG_KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw new StackConfigError(unknown[0], `is not a setting of this program${unknown.length > 1 ? ` (nor ${unknown.slice(1).join(', ')})` : ''}; known: ${CONFIG_KEYS.join(', ')}.`);
  }
}

/** Reads and validates the whole stack configuration. */
export function readStackConfig(source: ConfigSource, location: string | undefined): StackConfig {
  if (!location) throw new StackConfigError('location', 'set azure-native:location (e.g. westeurope) or entra-scim:location.');
  const owners = value(source, 'owners') ?? [];
  if (!Array.isArray(owners) || !owners.every((o) => typeof o === 'string' && GUID.test(o))) {
    throw new StackConfigError('owners', 'must be a list of object ids (GUIDs).');
  }
  const registry = value(source, 'registry');
  if (!isRecord(registry) || typeof registry.server !== 'string' || typeof registry.resourceId !== 'string') {
    throw new StackConfigError('registry', 'must be { server: <name>.azurecr.io, resourceId: /subscriptions/…/registries/<name> }.');
  }
  if (!/\/providers\/Microsoft\.ContainerRegistry\/registries\/[^/]+$/i.test(registry.resourceId)) {
    throw new StackConfigError('registry.resourceId', `must be a container registry resource id, got "${registry.resourceId}".`);
  }
  const logLevel = str(source, 'logLevel', 'info');
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new StackConfigError('logLevel', `must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}".`);
  }
  const minReplicas = num(source, 'minReplicas', 1, (n) => Number.isInteger(n) && n >= 1, 'an integer >= 1');
  const maxReplicas = num(source, 'maxReplicas', minReplicas, (n) => Number.isInteger(n) && n >= minReplicas, `an integer >= minReplicas (${minReplicas})`);
  const postgres = parsePostgres(value(source, 'postgres'));
  if (maxReplicas > 1 && postgres === undefined) {
    throw new StackConfigError('postgres', `is required when maxReplicas (${maxReplicas}) > 1: replicas need shared state.`);
  }
  const tags = value(source, 'tags') ?? {};
  if (!isRecord(tags) || !Object.values(tags).every((t) => typeof t === 'string')) {
    throw new StackConfigError('tags', 'must map names to strings.');
  }
  const email = source.get('syncNotificationEmail');
  return {
    displayName: str(source, 'displayName'),
    owners: owners as string[],
    groupAssignments: parseAssignments(value(source, 'groupAssignments')),
    provisioningEnabled: bool(source, 'provisioningEnabled', false),
    location,
    image: str(source, 'image'),
    registry: { server: registry.server, resourceId: registry.resourceId },
    scimTenant: str(source, 'scimTenant'),
    logLevel: logLevel as StackConfig['logLevel'],
    minReplicas,
    maxReplicas,
    concurrentRequests: num(source, 'concurrentRequests', 50, (n) => Number.isInteger(n) && n >= 1, 'an integer >= 1'),
    cpu: num(source, 'cpu', 0.5, (n) => n >= 0.25 && n <= 4, 'from 0.25 to 4 (vCPU)'),
    memory: str(source, 'memory', '1Gi'),
    logRetentionDays: num(source, 'logRetentionDays', 30, (n) => Number.isInteger(n) && n >= 30 && n <= 730, 'an integer from 30 to 730'),
    keyVaultPurgeProtection: bool(source, 'keyVaultPurgeProtection', false),
    deployerReadsSecrets: bool(source, 'deployerReadsSecrets', true),
    ...(postgres ? { postgres } : {}),
    ...(email ? { syncNotificationEmail: email } : {}),
    tags: tags as Record<string, string>,
  };
}
