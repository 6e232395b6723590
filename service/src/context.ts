// What every part of the service gets: storage, configuration and the hook points extensions
// (tenant policies, observability) plug into without editing the core.
import type { ServiceConfig } from './config.js';
import type { JsonObject, ResourceType, Storage, Tenant, TenantStore, TokenRecord } from './storage/contract.js';

export type WriteOperation = 'create' | 'replace' | 'patch' | 'delete';

export interface WriteEvent {
  tenant: Tenant;
  resourceType: ResourceType;
  operation: WriteOperation;
  /** The resource id (for create: the id it will get). */
  id: string;
  /** The stored document after the change (without id/meta/members); undefined for delete. */
  document?: JsonObject;
  /** The stored document before the change; undefined for create. */
  previous?: JsonObject;
  /** Group membership changes of this request (ids), when any. */
  addedMembers?: string[];
  removedMembers?: string[];
  /** The transaction's store: reads and writes here commit or roll back with the request. */
  store: TenantStore;
  dryRun: boolean;
}

export interface BeforeWriteResult {
  /** For a create: answer with this existing resource (updated with the request's attributes) instead of creating one. */
  linkToId?: string;
}

export interface WriteHooks {
  /** Run inside the transaction before the write is stored; throw a ScimError (service/src/scim/errors.ts) to reject it. */
  beforeWrite: Array<(event: WriteEvent) => Promise<void | BeforeWriteResult>>;
  /** Run inside the transaction after the write; may make further writes through `event.store`. */
  afterWrite: Array<(event: WriteEvent) => Promise<void>>;
}

export interface ServiceContext {
  /** The storage; tenant/token writes through it also clear this replica's auth cache at once. */
  storage: Storage;
  config: ServiceConfig;
  hooks: WriteHooks;
  /** Per-replica cache of tenant records and active token hashes (see scim/routes.ts). */
  authCache: Map<string, { at: number; tenant: Tenant | null; tokens: TokenRecord[] }>;
  /** Drops this replica's cached data of a tenant (tenant/token writes through `storage` already do). */
  invalidateTenant(tenant: string): void;
}

const cacheInvalidating = new Set<PropertyKey>(['createTenant', 'updateTenantSettings', 'deleteTenant', 'createToken', 'revokeToken']);

export function createContext(storage: Storage, config: ServiceConfig): ServiceContext {
  const authCache: ServiceContext['authCache'] = new Map();
  // Delegating proxy: tenant and token writes made in this process (admin API, CLI in-process) take effect at once.
  const wrapped = new Proxy(storage, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      if (!cacheInvalidating.has(prop)) return value.bind(target);
      return async (...args: unknown[]) => {
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } finally {
          authCache.clear();
        }
      };
    },
  });
  return { storage: wrapped, config, hooks: { beforeWrite: [], afterWrite: [] }, authCache, invalidateTenant: (tenant) => void authCache.delete(tenant) };
}
