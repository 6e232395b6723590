// What every part of the service gets: storage, configuration and the hook points extensions
// (tenant policies, observability) plug into without editing the core.
import type { ServiceConfig } from './config.js';
import type { JsonObject, ResourceType, Storage, Tenant, TenantStore } from './storage/contract.js';

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
  storage: Storage;
  config: ServiceConfig;
  hooks: WriteHooks;
}

export function createContext(storage: Storage, config: ServiceConfig): ServiceContext {
  return { storage, config, hooks: { beforeWrite: [], afterWrite: [] } };
}
