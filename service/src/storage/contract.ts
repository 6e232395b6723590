// The one storage interface every engine implements (SQLite in ./sqlite, PostgreSQL in ./postgres).
// The HTTP layer only ever talks to this contract; the contract suite in service/test/storage-contract
// runs against every engine.
//
// Data model: SCIM resources are stored as a JSON document (`data`, everything except id/meta/members)
// plus indexed columns the engine derives from it (userName case-insensitively, externalId, displayName,
// active, emails.value). Group members are ROWS, so adding or removing one member costs O(change).

// ---------------------------------------------------------------------------------------------
// Filter AST (RFC 7644 §3.4.2.2). Produced by the filter parser, consumed by engines.

/** An attribute path: `[uri:]attr[\[filter\]][.sub]`. Names are kept as written; matching is case-insensitive. */
export interface AttrPath {
  uri?: string;
  attr: string;
  filter?: Filter;
  sub?: string;
}
export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
export type FilterValue = string | number | boolean | null;
export type Filter =
  | { kind: 'compare'; path: AttrPath; op: CompareOp; value: FilterValue }
  | { kind: 'present'; path: AttrPath }
  | { kind: 'and' | 'or'; left: Filter; right: Filter }
  | { kind: 'not'; filter: Filter }
  | { kind: 'valuePath'; path: AttrPath; filter: Filter };

// ---------------------------------------------------------------------------------------------
// Records

export type ResourceType = 'User' | 'Group';
/** A JSON object as stored (no nulls). */
export type JsonObject = { [key: string]: JsonValue };
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;

export interface CustomExtensionSettings {
  /** `<Name>` of `urn:ietf:params:scim:schemas:extension:<Name>:2.0:User`. */
  name: string;
  description?: string;
  attributes: Array<{ name: string; type?: 'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'reference' | 'binary'; multiValued?: boolean; required?: boolean; caseExact?: boolean; description?: string; canonicalValues?: string[] }>;
}

export interface TenantSettings {
  /** Custom extension schema URNs accepted on users (`urn:ietf:params:scim:schemas:extension:<Name>:2.0:User`), attributes schema-less. */
  customSchemas?: string[];
  /** Custom extensions with their attribute definitions (discoverable in /Schemas); their URNs are accepted too. */
  customExtensions?: CustomExtensionSettings[];
  /** Policy settings, owned by service/src/policies (opaque to storage). */
  policies?: JsonObject;
}
export interface Tenant {
  name: string;
  created: string;
  settings: TenantSettings;
}

export interface TokenRecord {
  id: string;
  tenant: string;
  /** Hex sha256 of the bearer token; the token itself is never stored. */
  hash: string;
  label?: string;
  created: string;
  revoked?: string;
}

export interface StoredResource {
  id: string;
  type: ResourceType;
  /** The SCIM document without id, meta and members. */
  data: JsonObject;
  created: string;
  lastModified: string;
  /** Incremented on every change (ETag W/"<version>"). */
  version: number;
  /** The groups a User is a direct member of, ordered by id: set only when the query asked for them (`withGroups`). */
  groups?: GroupRef[];
}

export interface GroupRef {
  value: string;
  display?: string;
}

export interface Member {
  value: string;
  /** 'User' | 'Group' when known. */
  type?: string;
  display?: string;
}

export interface ResourceQuery {
  filter?: Filter;
  /** 1-based. */
  startIndex?: number;
  /** Maximum rows returned; 0 returns only the total. */
  count?: number;
  /** Attribute path as in `sortBy` (e.g. `userName`, `meta.created`, `name.familyName`). */
  sortBy?: string;
  sortOrder?: 'ascending' | 'descending';
  /**
   * Also load each User's groups (`StoredResource.groups`) in the same statement: a lookup that renders the
   * `groups` attribute is then one statement, not two (one round trip less on PostgreSQL). Engines may leave
   * `groups` unset on queries they evaluate partly in memory; callers fall back to `groupsOf`.
   */
  withGroups?: boolean;
}
export interface QueryResult {
  totalResults: number;
  resources: StoredResource[];
}

export interface AuditEntry {
  time: string;
  tenant: string;
  tokenId?: string;
  method: string;
  resourceType?: string;
  resourceId?: string;
  /** A short human-readable summary of the change (no secrets, no full documents). */
  summary: string;
  /** HTTP status of the answer. */
  status: number;
  outcome: 'success' | 'failure';
  dryRun: boolean;
}
export interface StoredAuditEntry extends AuditEntry {
  seq: number;
}

// ---------------------------------------------------------------------------------------------
// Errors engines raise

/** The database cannot be reached right now (→ 503 + Retry-After). */
export class StorageUnavailableError extends Error {
  readonly retryAfterSeconds: number;
  constructor(message = 'storage is unavailable', retryAfterSeconds = 5, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageUnavailableError';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
/** A unique constraint was violated (userName or externalId for users, displayName for groups, tenant name). */
export class UniquenessError extends Error {
  readonly attribute: string;
  constructor(attribute: string, message?: string) {
    super(message ?? `${attribute} is already in use`);
    this.name = 'UniquenessError';
    this.attribute = attribute;
  }
}
/** An expected version did not match (→ 412). */
export class VersionMismatchError extends Error {
  constructor(message = 'the resource was changed by another request') {
    super(message);
    this.name = 'VersionMismatchError';
  }
}
/** A tenant or resource the write depends on does not exist (→ 404). */
export class NotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

// ---------------------------------------------------------------------------------------------
// The interfaces

/** Reads and writes of one tenant's resources. Inside `transaction` all of it commits or none. */
export interface TenantStore {
  readonly tenant: string;
  /**
   * Inside `transaction` the row stays locked until the end (PostgreSQL: FOR NO KEY UPDATE; SQLite has one writer),
   * so a read-modify-write never loses an update. `lock: false` reads without it, for a change that only adds or
   * removes member rows and bumps the version (touchResource locks then): concurrent member PATCHes of one group
   * then wait for each other only from that bump to COMMIT (on PostgreSQL the bump travels with COMMIT).
   */
  getResource(type: ResourceType, id: string, options?: { lock?: boolean }): Promise<StoredResource | null>;
  query(type: ResourceType, query: ResourceQuery): Promise<QueryResult>;
  /** Throws UniquenessError. `id` is chosen by the caller (a UUID). */
  insertResource(type: ResourceType, id: string, data: JsonObject): Promise<StoredResource>;
  /** Replaces `data`, bumps version and lastModified. Throws VersionMismatchError when expectedVersion differs, UniquenessError. Returns null when the id does not exist. */
  updateResource(type: ResourceType, id: string, data: JsonObject, expectedVersion?: number): Promise<StoredResource | null>;
  /**
   * Bumps version and lastModified without changing data (e.g. after a membership change). On PostgreSQL, inside
   * `transaction` and after a read of the group, the bump travels with COMMIT: the returned resource's `version` is
   * final once `transaction` has resolved (a read without the lock lets another writer bump first).
   */
  touchResource(type: ResourceType, id: string): Promise<StoredResource | null>;
  /** Deletes the resource and every membership it has (as a group and as a member). */
  deleteResource(type: ResourceType, id: string): Promise<boolean>;

  /** Members of a group, ordered by value; `limit` for paging large groups. */
  listMembers(groupId: string, options?: { afterValue?: string; limit?: number }): Promise<Member[]>;
  countMembers(groupId: string): Promise<number>;
  /** Adds members not yet present (idempotent); returns the values added (in no particular order). */
  addMembers(groupId: string, members: Member[]): Promise<string[]>;
  /**
   * Adds those of `members` that are users or groups of this tenant, typed from the resource, unless already
   * present; returns the values added and the values that are no resource here (the caller rejects the change
   * and rolls the transaction back). One statement on PostgreSQL: a member PATCH holds its group's row lock
   * for fewer round trips.
   */
  addExistingMembers(groupId: string, members: Member[]): Promise<{ added: string[]; missing: string[] }>;
  /** Removes these members; returns the values removed (in no particular order). */
  removeMembers(groupId: string, values: string[]): Promise<string[]>;
  removeAllMembers(groupId: string): Promise<number>;
  /** Groups a resource is a direct member of (for the User `groups` attribute). */
  groupsOf(memberId: string): Promise<GroupRef[]>;
  /** Which of `ids` exist as resources (users or groups) in this tenant, with their type. */
  existingIds(ids: string[]): Promise<Map<string, ResourceType>>;
}

export interface TransactionOptions<T = unknown> {
  /** Run the work, then roll back whatever it wrote (dry-run). The callback's result is still returned. */
  rollback?: boolean;
  /**
   * The audit entry for the work's result, written in the same transaction just before COMMIT (never on
   * rollback or when the work throws): a write and its audit record commit together, in one commit.
   */
  audit?: (result: T) => AuditEntry | undefined;
}

export interface OperationStats {
  /** Statements executed. */
  statements: number;
  /** Rows returned by reads plus rows changed by writes. */
  rows: number;
}

export interface Storage {
  readonly engine: string;
  /** Readiness probe: resolves when the database answers, rejects with StorageUnavailableError otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;

  createTenant(name: string, settings?: TenantSettings): Promise<Tenant>;
  getTenant(name: string): Promise<Tenant | null>;
  listTenants(): Promise<Tenant[]>;
  updateTenantSettings(name: string, settings: TenantSettings): Promise<Tenant | null>;
  /** Deletes the tenant with its tokens, resources, memberships and audit. */
  deleteTenant(name: string): Promise<boolean>;

  /** Stores a token hash; throws NotFoundError when the tenant does not exist. */
  createToken(tenant: string, hash: string, label?: string): Promise<TokenRecord>;
  listTokens(tenant: string): Promise<TokenRecord[]>;
  /** Active (not revoked) tokens of a tenant; the caller compares hashes in constant time. */
  activeTokens(tenant: string): Promise<TokenRecord[]>;
  revokeToken(tenant: string, id: string): Promise<boolean>;

  /** Non-transactional reads. */
  tenantStore(tenant: string): TenantStore;
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws (or with `rollback`). */
  transaction<T>(tenant: string, work: (store: TenantStore) => Promise<T>, options?: TransactionOptions<T>): Promise<T>;

  appendAudit(entry: AuditEntry): Promise<void>;
  /** Newest first. `beforeSeq` pages backwards. */
  listAudit(tenant: string, options?: { limit?: number; beforeSeq?: number }): Promise<StoredAuditEntry[]>;

  /** Operation counters since the engine was opened (for complexity tests). */
  stats(): OperationStats;
}

export type StorageFactory = () => Promise<Storage>;

// ---------------------------------------------------------------------------------------------
// Shared helpers for engines

/** Attributes whose string comparisons are case-sensitive (RFC 7643 caseExact true). Everything else compares case-insensitively. */
export const caseExactAttributes: ReadonlySet<string> = new Set(['id', 'externalid', 'meta.location', 'meta.version']);

/** Multi-valued attributes of the core schemas (values are arrays). */
export const multiValuedAttributes: ReadonlySet<string> = new Set([
  'emails', 'phonenumbers', 'ims', 'photos', 'addresses', 'entitlements', 'roles', 'x509certificates', 'groups', 'members', 'schemas',
]);

function lowerKeyGet(obj: JsonValue | undefined, key: string): JsonValue | undefined {
  if (obj === null || obj === undefined || typeof obj !== 'object' || Array.isArray(obj)) return undefined;
  if (key in obj) return obj[key];
  const lower = key.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return obj[k];
  return undefined;
}

/** Looks up an attribute of a resource document (already including id/meta) by path, case-insensitively. */
export function resolveAttribute(doc: JsonObject, path: { uri?: string; attr: string }): JsonValue | undefined {
  const base: JsonValue | undefined = path.uri ? lowerKeyGet(doc, path.uri) : doc;
  return lowerKeyGet(base, path.attr);
}

function compareScalar(actual: JsonValue | undefined, op: CompareOp, expected: FilterValue, caseExact: boolean): boolean {
  if (actual === undefined || actual === null || typeof actual === 'object') return op === 'ne' ? expected !== null : false;
  let a: string | number | boolean = actual;
  let e: FilterValue = expected;
  if (typeof a === 'boolean') {
    // Entra compares booleans with "True"/"False" strings (reference §1.3).
    if (typeof e === 'string' && /^(true|false)$/i.test(e)) e = e.toLowerCase() === 'true';
  } else if (typeof a === 'string' && typeof e === 'boolean') {
    e = String(e);
  } else if (typeof a === 'string' && typeof e === 'number') {
    e = String(e);
  }
  if (typeof a === 'string' && typeof e === 'string' && !caseExact) {
    a = a.toLowerCase();
    e = e.toLowerCase();
  }
  switch (op) {
    case 'eq': return a === e;
    case 'ne': return a !== e;
    case 'co': return typeof a === 'string' && typeof e === 'string' && a.includes(e);
    case 'sw': return typeof a === 'string' && typeof e === 'string' && a.startsWith(e);
    case 'ew': return typeof a === 'string' && typeof e === 'string' && a.endsWith(e);
    case 'gt': return e !== null && typeof a === typeof e && a > e;
    case 'ge': return e !== null && typeof a === typeof e && a >= e;
    case 'lt': return e !== null && typeof a === typeof e && a < e;
    case 'le': return e !== null && typeof a === typeof e && a <= e;
  }
}

function isPresent(v: JsonValue | undefined): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

function elementsOf(v: JsonValue | undefined): JsonValue[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

/** Evaluates a filter against a full resource document (id and meta included) in memory. */
export function matchesFilter(doc: JsonObject, filter: Filter): boolean {
  switch (filter.kind) {
    case 'and': return matchesFilter(doc, filter.left) && matchesFilter(doc, filter.right);
    case 'or': return matchesFilter(doc, filter.left) || matchesFilter(doc, filter.right);
    case 'not': return !matchesFilter(doc, filter.filter);
    case 'valuePath': {
      const elements = elementsOf(resolveAttribute(doc, filter.path));
      return elements.some((el) => el !== null && typeof el === 'object' && !Array.isArray(el) && matchesFilter(el, filter.filter));
    }
    case 'present':
    case 'compare': {
      const path = filter.path;
      let values = elementsOf(resolveAttribute(doc, path));
      if (path.filter) {
        const f = path.filter;
        values = values.filter((el) => el !== null && typeof el === 'object' && !Array.isArray(el) && matchesFilter(el, f));
      }
      const name = (path.attr + (path.sub ? '.' + path.sub : '')).toLowerCase();
      if (path.sub) {
        const sub = path.sub;
        values = values.map((el) => lowerKeyGet(el, sub)).filter((v): v is JsonValue => v !== undefined);
      } else if (values.some((v) => v !== null && typeof v === 'object' && !Array.isArray(v))) {
        // `emails eq "x"` on a complex multi-valued attribute compares its `value` sub-attribute.
        values = values.map((el) => (el !== null && typeof el === 'object' && !Array.isArray(el) ? lowerKeyGet(el, 'value') : el)).filter((v): v is JsonValue => v !== undefined);
      }
      if (filter.kind === 'present') return values.some(isPresent);
      const caseExact = caseExactAttributes.has(name);
      if (filter.op === 'ne') return !values.some((v) => compareScalar(v, 'eq', filter.value, caseExact));
      return values.some((v) => compareScalar(v, filter.op, filter.value, caseExact));
    }
  }
}
