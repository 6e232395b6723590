// PostgreSQL engine of the storage contract (pg, one bounded pool per process). Same data model and
// behaviour as the SQLite engine; what SQLite gets from its single writer, PostgreSQL gets from
// constraints and row locks, so it holds across replicas:
// - uniqueness (userName per tenant case-insensitively, group displayName) by unique indexes → UniquenessError;
// - members are rows with a primary key, added with ON CONFLICT DO NOTHING: concurrent PATCHes never lose one;
// - a read inside a transaction locks the row (FOR NO KEY UPDATE), so read-modify-write and ETag checks
//   are serialised per resource across replicas; deadlocks/serialization failures are retried.
// Every committed change also writes an event to the outbox (events table) in the same transaction.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import {
  matchesFilter,
  NotFoundError,
  StorageUnavailableError,
  UniquenessError,
  VersionMismatchError,
  type AuditEntry,
  type GroupRef,
  type JsonObject,
  type Member,
  type OperationStats,
  type QueryResult,
  type ResourceQuery,
  type ResourceType,
  type Storage,
  type StoredAuditEntry,
  type StoredResource,
  type Tenant,
  type TenantSettings,
  type TenantStore,
  type TokenRecord,
  type TransactionOptions,
} from '../contract.js';
import type { WebhookDeliveryStore } from '../../events/delivery-store.js';
import { createPool, isRetryableConflict, isUnavailableError, isUniqueViolation, parsePostgresUrl, type PostgresSettings } from './connection.js';
import { createPostgresDeliveryStore } from './delivery-store.js';
import { matchesAtMostOne, mentionsMembers, numbered, sortColumn, splitPostgresFilter, type SqlParam } from './filter-sql.js';
import { migrate } from './migrate.js';
import { appendEventsStatement, auditColumns, type AuditRow } from './outbox.js';
import { statement, TransactionConnection } from './transaction-connection.js';
import { emailRows, filterDocument, indexedValues, memberFromRow, resourceFromRow, sortAndPage, type MemberRow, type ResourceRowBase } from '../sql/documents.js';

/** Where statements run: the pool (reads), a connection, or a transaction's connection (which carries BEGIN). */
type Queryable = pg.Pool | pg.PoolClient | TransactionConnection;

interface ResourceRow extends ResourceRowBase {
  /** [group id, displayName as JSON text or null] pairs ordered by id (json, parsed by pg), when the query asked for groups. */
  groups?: Array<[string, string | null]>;
}

/**
 * A User's groups as one column of the lookup, from group_names (migration 6), not from the groups' own rows,
 * which every member change updates. displayName travels as JSON text, parsed in JS: PostgreSQL's json
 * operators refuse strings with \u0000.
 */
const groupsColumn =
  "(SELECT coalesce(json_agg(json_build_array(m.group_id, g.display_json) ORDER BY m.group_id), '[]') FROM members m " +
  'JOIN group_names g ON g.tenant = m.tenant AND g.group_id = m.group_id WHERE m.tenant = r.tenant AND m.member_id = r.id) AS groups';

/** A Group's displayName as stored in group_names.display_json. */
function displayJson(type: ResourceType, data: JsonObject): string | null {
  return type === 'Group' && typeof data.displayName === 'string' ? JSON.stringify(data.displayName) : null;
}

interface TokenRow {
  id: string;
  tenant: string;
  hash: string;
  label: string | null;
  created: string;
  revoked: string | null;
}

const resourceColumns = 'r.id, r.type, r.data, r.created, r.last_modified, r.version';

/**
 * Groups as rows with the columns of resources: a group's version and lastModified are those of group_versions
 * (migration 7), which member changes update instead of the group's resources row.
 */
const groupsView =
  '(SELECT g.tenant, g.id, g.type, g.data, g.created, v.last_modified, v.version, g.user_name_lc, g.external_id, g.display_name_lc, g.active ' +
  'FROM resources g JOIN group_versions v ON v.tenant = g.tenant AND v.group_id = g.id)';
const resourcesOf = (type: ResourceType): string => (type === 'Group' ? `${groupsView} r` : 'resources r');
const retryAttempts = 4;
/** A group's version bump, held back to travel with the next statement or COMMIT (rename or member change). */
const bumpGroupVersion = 'UPDATE group_versions SET version = version + 1, last_modified = $3 WHERE tenant = $1 AND group_id = $2 RETURNING version';
const maxPreparedStatements = 200;

/** The emails table's rows of a User document as the two arrays the insert unnests. */
function emailArrays(type: ResourceType, data: JsonObject): { values: string[]; types: Array<string | null> } {
  const rows = type === 'User' ? emailRows(data) : [];
  return { values: rows.map((e) => e.value), types: rows.map((e) => e.type) };
}

function groupRef(groupId: string, display: string | null): GroupRef {
  return display === null ? { value: groupId } : { value: groupId, display: JSON.parse(display) as string };
}

function toResource(row: ResourceRow): StoredResource {
  const resource = resourceFromRow(row);
  if (row.groups) resource.groups = row.groups.map(([id, data]) => groupRef(id, data));
  return resource;
}

/**
 * PostgreSQL text cannot hold U+0000 (SQLite can). Documents are stored as JSON text, where it is escaped;
 * derived columns and query parameters get U+FFFD instead, the same on write and on lookup, so a value
 * with a NUL is stored and found instead of failing the request with a 500.
 */
function withoutNul(value: SqlParam): SqlParam {
  if (typeof value === 'string') return value.includes('\u0000') ? value.replaceAll('\u0000', '\ufffd') : value;
  if (Array.isArray(value)) return value.some((v) => typeof v === 'string' && v.includes('\u0000')) ? value.map((v) => (typeof v === 'string' ? v.replaceAll('\u0000', '\ufffd') : v)) : value;
  return value;
}

// Statements are prepared per connection (statementName): they name their columns, because a prepared `SELECT *`
// fails with "cached plan must not change result type" once a migration adds a column.
const tokenColumns = 'id, tenant, hash, label, created, revoked';
const auditInsert = `INSERT INTO audit (${auditColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`;

function auditParams(entry: AuditEntry): AuditRow {
  return [entry.tenant, entry.time, entry.tokenId ?? null, entry.method, entry.resourceType ?? null, entry.resourceId ?? null, entry.summary, entry.status, entry.outcome, entry.dryRun];
}

/** The first of each value (a request may name a member twice). */
function uniqueMembers(members: Member[]): Member[] {
  const unique = new Map<string, Member>();
  for (const m of members) if (!unique.has(m.value)) unique.set(m.value, m);
  return [...unique.values()];
}

function toToken(r: TokenRow): TokenRecord {
  return { id: r.id, tenant: r.tenant, hash: r.hash, created: r.created, ...(r.label !== null ? { label: r.label } : {}), ...(r.revoked !== null ? { revoked: r.revoked } : {}) };
}

/** Changes of one transaction, one entry per resource, turned into outbox events just before COMMIT. */
interface PendingChange {
  resourceType: ResourceType;
  resourceId: string;
  kind: 'created' | 'updated' | 'deleted';
  /** 'atCommit': bumped in the COMMIT round trip; the event statement reads it from group_versions. */
  version?: number | 'atCommit';
  membersAdded: string[];
  membersRemoved: string[];
  allMembersRemoved: boolean;
}

class ChangeLog {
  private readonly changes = new Map<string, PendingChange>();
  private entry(type: ResourceType, id: string, kind: PendingChange['kind']): PendingChange {
    const key = `${type}\u0000${id}`;
    let change = this.changes.get(key);
    if (!change) {
      change = { resourceType: type, resourceId: id, kind, membersAdded: [], membersRemoved: [], allMembersRemoved: false };
      this.changes.set(key, change);
    } else if (kind === 'deleted') {
      change.kind = 'deleted';
    } else if (kind === 'created' && change.kind === 'deleted') {
      change.kind = 'updated'; // deleted and re-created within one transaction
    }
    return change;
  }
  record(type: ResourceType, id: string, kind: PendingChange['kind'], version?: number | 'atCommit'): void {
    const change = this.entry(type, id, kind);
    if (version !== undefined) change.version = version;
  }
  members(groupId: string, added: string[], removed: string[], all = false): void {
    if (added.length === 0 && removed.length === 0 && !all) return;
    const change = this.entry('Group', groupId, 'updated');
    change.membersAdded.push(...added);
    change.membersRemoved.push(...removed);
    if (all) change.allMembersRemoved = true;
  }
  list(): PendingChange[] {
    return [...this.changes.values()];
  }
}

export class PostgresStorage implements Storage {
  readonly engine = 'postgres';
  private readonly counters: OperationStats = { statements: 0, rows: 0 };
  private lastTimestamp = '';
  private readonly statementNames = new Map<string, string>();
  private closed = false;

  constructor(
    private readonly pool: pg.Pool,
    readonly settings: PostgresSettings,
  ) {}

  // -- low level ------------------------------------------------------------------------------

  /** Strictly increasing ISO timestamps within this process (lastModified orders a replica's writes). */
  private timestamp(): string {
    let t = new Date().toISOString();
    if (t <= this.lastTimestamp) t = new Date(Date.parse(this.lastTimestamp) + 1).toISOString();
    this.lastTimestamp = t;
    return t;
  }

  /** Maps driver errors onto the contract's errors; anything else is rethrown unchanged. */
  private translate(error: unknown): never {
    if (error instanceof UniquenessError || error instanceof VersionMismatchError || error instanceof NotFoundError || error instanceof StorageUnavailableError) throw error;
    if (isUniqueViolation(error)) {
      const constraint = error.constraint ?? '';
      if (constraint === 'users_user_name') throw new UniquenessError('userName');
      if (constraint === 'groups_display_name') throw new UniquenessError('displayName');
      if (constraint === 'tenants_pkey') throw new UniquenessError('tenant');
      if (constraint === 'resources_pkey') throw new UniquenessError('id');
      throw new UniquenessError('value');
    }
    if ((error as { code?: unknown } | null)?.code === '23503') throw new NotFoundError('the tenant or group this change refers to does not exist');
    if (this.closed) throw new StorageUnavailableError('storage is closed', 5, { cause: error });
    if (isUnavailableError(error)) throw new StorageUnavailableError('PostgreSQL is unavailable', 5, { cause: error });
    throw error;
  }

  /**
   * The statement's name: the first `maxPreparedStatements` distinct texts are prepared on each connection, so
   * PostgreSQL parses them once and plans them from its plan cache (planning was the largest part of its CPU
   * time under Entra's mix). Bounded, because filter shapes come from requests.
   */
  private statementName(text: string): string | undefined {
    let name = this.statementNames.get(text);
    if (name === undefined && this.statementNames.size < maxPreparedStatements) {
      name = `scim_${this.statementNames.size}`;
      this.statementNames.set(text, name);
    }
    return name;
  }

  /** One round trip; `commit` sends COMMIT with it (on a transaction's connection). */
  private async sql<T extends pg.QueryResultRow = Record<string, unknown>>(db: Queryable, text: string, params: SqlParam[] = [], commit = false): Promise<pg.QueryResult<T>> {
    if (this.closed) throw new StorageUnavailableError('storage is closed');
    try {
      const values = params.map(withoutNul);
      const result =
        db instanceof TransactionConnection
          ? await (commit ? db.commitWith<T>(text, values) : db.query<T>(text, values))
          : await db.query<T>(statement(text, values, this.statementName(text)));
      this.counters.statements++;
      this.counters.rows += result.rowCount ?? result.rows.length;
      return result;
    } catch (error) {
      return this.translate(error);
    }
  }

  // -- Storage --------------------------------------------------------------------------------

  async ping(): Promise<void> {
    await this.sql(this.pool, 'SELECT 1');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  stats(): OperationStats {
    return { ...this.counters };
  }

  /** Webhook subscriptions and delivery state (the events plugin finds this method by duck typing). */
  webhookDeliveryStore(): WebhookDeliveryStore {
    return createPostgresDeliveryStore(this.pool);
  }

  private toTenant(row: { name: string; created: string; settings: string }): Tenant {
    return { name: row.name, created: row.created, settings: JSON.parse(row.settings) as TenantSettings };
  }

  async createTenant(name: string, settings: TenantSettings = {}): Promise<Tenant> {
    const created = new Date().toISOString();
    await this.sql(this.pool, 'INSERT INTO tenants (name, created, settings) VALUES ($1, $2, $3)', [name, created, JSON.stringify(settings)]);
    return { name, created, settings };
  }
  async getTenant(name: string): Promise<Tenant | null> {
    const { rows } = await this.sql<{ name: string; created: string; settings: string }>(this.pool, 'SELECT name, created, settings FROM tenants WHERE name = $1', [name]);
    return rows[0] ? this.toTenant(rows[0]) : null;
  }
  async listTenants(): Promise<Tenant[]> {
    const { rows } = await this.sql<{ name: string; created: string; settings: string }>(this.pool, 'SELECT name, created, settings FROM tenants ORDER BY name');
    return rows.map((r) => this.toTenant(r));
  }
  async updateTenantSettings(name: string, settings: TenantSettings): Promise<Tenant | null> {
    const { rows } = await this.sql<{ name: string; created: string; settings: string }>(
      this.pool, 'UPDATE tenants SET settings = $2 WHERE name = $1 RETURNING name, created, settings', [name, JSON.stringify(settings)],
    );
    return rows[0] ? this.toTenant(rows[0]) : null;
  }
  async deleteTenant(name: string): Promise<boolean> {
    return this.withClient(async (client) => {
      await this.sql(client, 'BEGIN');
      try {
        // Tokens, resources, emails and members go by ON DELETE CASCADE.
        await this.sql(client, 'DELETE FROM audit WHERE tenant = $1', [name]);
        await this.sql(client, 'DELETE FROM webhooks WHERE tenant_id = $1', [name]);
        await this.sql(client, 'DELETE FROM events WHERE tenant_id = $1', [name]);
        await this.sql(client, 'DELETE FROM event_counters WHERE tenant_id = $1', [name]);
        const { rowCount } = await this.sql(client, 'DELETE FROM tenants WHERE name = $1', [name]);
        await this.sql(client, 'COMMIT');
        return (rowCount ?? 0) > 0;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  async createToken(tenant: string, hash: string, label?: string): Promise<TokenRecord> {
    const record: TokenRow = { id: randomUUID(), tenant, hash, label: label ?? null, created: new Date().toISOString(), revoked: null };
    try {
      await this.sql(this.pool, 'INSERT INTO tokens (id, tenant, hash, label, created) VALUES ($1, $2, $3, $4, $5)', [record.id, tenant, hash, record.label, record.created]);
    } catch (error) {
      if (error instanceof NotFoundError) throw new NotFoundError(`tenant "${tenant}" does not exist`);
      throw error;
    }
    return toToken(record);
  }
  async listTokens(tenant: string): Promise<TokenRecord[]> {
    const { rows } = await this.sql<TokenRow>(this.pool, `SELECT ${tokenColumns} FROM tokens WHERE tenant = $1 ORDER BY created, id`, [tenant]);
    return rows.map(toToken);
  }
  async activeTokens(tenant: string): Promise<TokenRecord[]> {
    const { rows } = await this.sql<TokenRow>(this.pool, `SELECT ${tokenColumns} FROM tokens WHERE tenant = $1 AND revoked IS NULL ORDER BY created, id`, [tenant]);
    return rows.map(toToken);
  }
  async revokeToken(tenant: string, id: string): Promise<boolean> {
    const { rowCount } = await this.sql(this.pool, 'UPDATE tokens SET revoked = $3 WHERE tenant = $1 AND id = $2 AND revoked IS NULL', [tenant, id, new Date().toISOString()]);
    return (rowCount ?? 0) > 0;
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    await this.insertAudit(this.pool, entry);
  }
  private async insertAudit(db: Queryable, entry: AuditEntry): Promise<void> {
    await this.sql(db, auditInsert, auditParams(entry));
  }
  async listAudit(tenant: string, options: { limit?: number; beforeSeq?: number } = {}): Promise<StoredAuditEntry[]> {
    const limit = Math.max(1, Math.min(options.limit ?? 100, 1000));
    const { rows } = await this.sql<Record<string, unknown>>(
      this.pool, `SELECT seq, ${auditColumns} FROM audit WHERE tenant = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3`, [tenant, options.beforeSeq ?? Number.MAX_SAFE_INTEGER, limit],
    );
    return rows.map((r) => ({
      seq: Number(r.seq),
      time: String(r.time),
      tenant: String(r.tenant),
      ...(r.token_id !== null ? { tokenId: String(r.token_id) } : {}),
      method: String(r.method),
      ...(r.resource_type !== null ? { resourceType: String(r.resource_type) } : {}),
      ...(r.resource_id !== null ? { resourceId: String(r.resource_id) } : {}),
      summary: String(r.summary),
      status: Number(r.status),
      outcome: r.outcome === 'success' ? 'success' : 'failure',
      dryRun: r.dry_run === true,
    }));
  }

  private async withClient<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    if (this.closed) throw new StorageUnavailableError('storage is closed');
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      return this.translate(error);
    }
    let broken: Error | undefined;
    try {
      return await fn(client);
    } catch (error) {
      // A connection that failed mid-transaction is not returned to the pool.
      if (error instanceof StorageUnavailableError) broken = error;
      throw error;
    } finally {
      client.release(broken);
    }
  }

  tenantStore(tenant: string): TenantStore {
    // Reads go straight to the pool; a write outside `transaction` is its own transaction (with its event).
    const reads = this.makeStore(tenant, this.pool, null);
    const write = <A extends unknown[], R>(pick: (s: TenantStore) => (...args: A) => Promise<R>) =>
      (...args: A): Promise<R> => this.transaction(tenant, (tx) => pick(tx)(...args));
    return {
      ...reads,
      insertResource: write((s) => s.insertResource),
      updateResource: write((s) => s.updateResource),
      touchResource: write((s) => s.touchResource),
      deleteResource: write((s) => s.deleteResource),
      addMembers: write((s) => s.addMembers),
      removeMembers: write((s) => s.removeMembers),
      removeAllMembers: write((s) => s.removeAllMembers),
    };
  }

  async transaction<T>(tenant: string, work: (store: TenantStore) => Promise<T>, options: TransactionOptions<T> = {}): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.withClient(async (client) => {
          const tx = new TransactionConnection(client, (text) => this.statementName(text));
          try {
            const changes = new ChangeLog();
            const result = await work(this.makeStore(tenant, tx, changes));
            if (options.rollback) {
              await tx.runAndRollback().catch((error: unknown) => this.translate(error));
              return result;
            }
            // Audit entry and outbox rows in one statement, sent with COMMIT: appending events locks the tenant's
            // counter row until COMMIT.
            await this.finish(tx, tenant, changes.list(), options.audit?.(result));
            return result;
          } catch (error) {
            await tx.rollback().catch(() => undefined);
            throw error;
          }
        });
      } catch (error) {
        // A deadlock or serialization failure rolled everything back: running the work again is safe.
        if (isRetryableConflict(error) && attempt < retryAttempts) {
          await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 20));
          continue;
        }
        throw error;
      }
    }
  }

  /** Commits with the transaction's events and audit entry: one statement, sent with COMMIT (one round trip). */
  private async finish(tx: TransactionConnection, tenant: string, changes: PendingChange[], audit: AuditEntry | undefined): Promise<void> {
    const events = changes.map((change) => {
      const data: Record<string, unknown> = {};
      // null asks the event statement for the version group_versions holds (appendEventsStatement).
      if (change.version !== undefined && change.kind !== 'deleted') data.version = change.version === 'atCommit' ? null : change.version;
      if (change.membersAdded.length > 0) data.membersAdded = change.membersAdded;
      if (change.membersRemoved.length > 0) data.membersRemoved = change.membersRemoved;
      if (change.allMembersRemoved) data.allMembersRemoved = true;
      return { type: `${change.resourceType.toLowerCase()}.${change.kind}`, resourceType: change.resourceType, resourceId: change.resourceId, data };
    });
    const last =
      events.length > 0
        ? appendEventsStatement(tenant, events, audit && auditParams(audit))
        : audit
          ? { text: auditInsert, values: auditParams(audit) }
          : null;
    if (!last) return tx.commit().catch((error: unknown) => this.translate(error));
    await this.sql(tx, last.text, last.values as SqlParam[], true);
  }

  // -- tenant store ---------------------------------------------------------------------------

  /** `changes` is null for the pool-backed read store (its writes are routed through `transaction`). */
  private makeStore(tenant: string, db: Queryable, changes: ChangeLog | null): TenantStore {
    // Inside a transaction a read locks the row: a concurrent writer on another replica waits for our
    // COMMIT, so version checks and read-modify-write (PATCH) never lose an update.
    const lock = changes ? ' FOR NO KEY UPDATE' : '';
    const log = changes ?? new ChangeLog();
    // Rows this transaction read with the lock, as read: an update of one of them has a known outcome (the next
    // version), so it is deferred to travel with the next statement or COMMIT instead of costing a round trip.
    const lockedRows = new Map<string, StoredResource>();
    // Rows this transaction read without the lock (a members-only group PATCH): their version bump can go with COMMIT.
    const readRows = new Map<string, StoredResource>();
    const key = (type: ResourceType, id: string) => `${type}\u0000${id}`;
    // A membership change in this transaction makes the users' groups read with their rows stale.
    const forgetGroups = () => {
      for (const [k, r] of lockedRows) {
        if (!r.groups) continue;
        const { groups: _stale, ...rest } = r;
        lockedRows.set(k, rest);
      }
    };
    const getResource = async (type: ResourceType, id: string, options: { lock?: boolean } = {}): Promise<StoredResource | null> => {
      const locking = options.lock === false ? '' : lock;
      // A locked User comes with its groups: the answer to its PATCH renders them without another round trip.
      // A locked Group locks its version row too: member changes (touchResource) and document changes serialise there.
      const text =
        locking && type === 'Group'
          ? `SELECT r.id, r.type, r.data, r.created, v.last_modified, v.version FROM resources r JOIN group_versions v ON v.tenant = r.tenant AND v.group_id = r.id
              WHERE r.tenant = $1 AND r.id = $2 AND r.type = $3${locking} OF r, v`
          : `SELECT ${locking && type === 'User' ? `${resourceColumns}, ${groupsColumn}` : resourceColumns} FROM ${resourcesOf(type)} WHERE r.tenant = $1 AND r.id = $2 AND r.type = $3${locking}`;
      const { rows } = await this.sql<ResourceRow>(db, text, [tenant, id, type]);
      const resource = rows[0] ? toResource(rows[0]) : null;
      if (resource && locking) lockedRows.set(key(type, id), resource);
      else if (resource && changes) readRows.set(key(type, id), resource);
      return resource;
    };
    /** Holds a write back on the transaction's connection (see TransactionConnection.defer). */
    const defer = (tx: TransactionConnection, text: string, values: SqlParam[]) => tx.defer(text, values.map(withoutNul));
    /** The statement that rewrites a user's emails rows (only sent when they changed). */
    const emailsStatement = (id: string, emails: { values: string[]; types: Array<string | null> }) => ({
      text: `WITH gone AS (DELETE FROM emails WHERE tenant = $1 AND user_id = $2)
             INSERT INTO emails (tenant, user_id, value_lc, type_lc) SELECT $1, $2, e.value, e.type FROM unnest($3::text[], $4::text[]) AS e(value, type)`,
      values: [tenant, id, emails.values, emails.types as string[]] as SqlParam[],
    });

    return {
      tenant,
      getResource,
      query: (type, query) => this.query(db, tenant, type, query),
      insertResource: async (type, id, data) => {
        const t = this.timestamp();
        const d = indexedValues(type, data);
        const emails = emailArrays(type, data);
        const inserted = `inserted AS (
               INSERT INTO resources (tenant, id, type, data, created, last_modified, version, user_name_lc, external_id, display_name_lc, active)
               VALUES ($1, $2, $3, $4, $5, $5, 1, $6, $7, $8, $9) RETURNING tenant, id)`;
        const text =
          type === 'Group'
            ? `WITH ${inserted}, versions AS (INSERT INTO group_versions (tenant, group_id, version, last_modified) SELECT inserted.tenant, inserted.id, 1, $5 FROM inserted)
               INSERT INTO group_names (tenant, group_id, display_json) SELECT inserted.tenant, inserted.id, $10 FROM inserted`
            : `WITH ${inserted}
             INSERT INTO emails (tenant, user_id, value_lc, type_lc)
             SELECT inserted.tenant, inserted.id, e.value, e.type FROM inserted, unnest($10::text[], $11::text[]) AS e(value, type)`;
        const values: SqlParam[] = [tenant, id, type, JSON.stringify(data), t, d.userNameLc, d.externalId, d.displayNameLc, d.active];
        values.push(...(type === 'Group' ? [displayJson(type, data)] : [emails.values, emails.types as string[]]));
        // In a transaction the insert's outcome is known (or it fails the whole request): it goes with the next statement.
        if (db instanceof TransactionConnection) defer(db, text, values);
        else {
          try {
            await this.sql(db, text, values);
          } catch (error) {
            if (error instanceof NotFoundError) throw new NotFoundError(`tenant "${tenant}" does not exist`);
            throw error;
          }
        }
        log.record(type, id, 'created', 1);
        const created: StoredResource = { id, type, data, created: t, lastModified: t, version: 1 };
        lockedRows.set(key(type, id), created);
        return created;
      },
      updateResource: async (type, id, data, expectedVersion) => {
        const t = this.timestamp();
        const d = indexedValues(type, data);
        const emails = emailArrays(type, data);
        let known = db instanceof TransactionConnection ? lockedRows.get(key(type, id)) : undefined;
        if (!known && type === 'Group' && db instanceof TransactionConnection) {
          // A group's version is in group_versions: lock both rows first, then the update's outcome is known.
          known = (await getResource('Group', id)) ?? undefined;
          if (!known) return null;
        }
        if (known && db instanceof TransactionConnection) {
          // Locked since this transaction read (or created) it: the version check and the result need no round trip.
          if (expectedVersion !== undefined && expectedVersion !== known.version) throw new VersionMismatchError();
          defer(
            db,
            `UPDATE resources SET data = $4, last_modified = $5, version = version + 1, user_name_lc = $6, external_id = $7, display_name_lc = $8, active = $9
              WHERE tenant = $1 AND id = $2 AND type = $3`,
            [tenant, id, type, JSON.stringify(data), t, d.userNameLc, d.externalId, d.displayNameLc, d.active],
          );
          if (JSON.stringify(emailArrays(type, known.data)) !== JSON.stringify(emails)) {
            const e = emailsStatement(id, emails);
            defer(db, e.text, e.values);
          }
          if (displayJson(type, known.data) !== displayJson(type, data)) {
            defer(db, 'UPDATE group_names SET display_json = $3 WHERE tenant = $1 AND group_id = $2', [tenant, id, displayJson(type, data)]);
          }
          if (type === 'Group') defer(db, bumpGroupVersion, [tenant, id, t]);
          const updated: StoredResource = { ...known, data, lastModified: t, version: known.version + 1 };
          lockedRows.set(key(type, id), updated);
          log.record(type, id, 'updated', updated.version);
          return updated;
        }
        // Users only (a group was locked and read above). One statement: the CTE locks the row (a caller that did not
        // lock it yet waits here for other writers) and
        // hands over the previous document, whose emails decide whether the emails rows change; a User's groups come
        // back for rendering, so a PATCH answers without another round trip.
        const { rows } = await this.sql<{ created: string; version: number; previous: string; groups?: Array<[string, string | null]> }>(
          db,
          `WITH previous AS (SELECT data FROM resources WHERE tenant = $1 AND id = $2 AND type = $3 FOR NO KEY UPDATE)
           UPDATE resources r SET data = $4, last_modified = $5, version = r.version + 1, user_name_lc = $6, external_id = $7, display_name_lc = $8, active = $9
             FROM previous WHERE r.tenant = $1 AND r.id = $2 AND r.type = $3 AND ($10::bigint IS NULL OR r.version = $10::bigint)
           RETURNING r.created, r.version, previous.data AS previous${type === 'User' ? `, ${groupsColumn}` : ''}`,
          [tenant, id, type, JSON.stringify(data), t, d.userNameLc, d.externalId, d.displayNameLc, d.active, expectedVersion ?? null],
        );
        const row = rows[0];
        if (!row) {
          if (expectedVersion === undefined) return null;
          const exists = await this.sql(db, 'SELECT 1 FROM resources WHERE tenant = $1 AND id = $2 AND type = $3', [tenant, id, type]);
          if (exists.rows.length === 0) return null;
          throw new VersionMismatchError();
        }
        const old = emailArrays(type, JSON.parse(row.previous) as JsonObject);
        if (JSON.stringify(old) !== JSON.stringify(emails)) {
          const e = emailsStatement(id, emails);
          await this.sql(db, e.text, e.values);
        }
        const updated: StoredResource = { id, type, data, created: row.created, lastModified: t, version: Number(row.version) };
        if (row.groups) updated.groups = row.groups.map(([groupId, group]) => groupRef(groupId, group));
        if (changes) lockedRows.set(key(type, id), updated); // the statement locked it
        log.record(type, id, 'updated', updated.version);
        return updated;
      },
      touchResource: async (type, id) => {
        const read = type === 'Group' && db instanceof TransactionConnection ? (lockedRows.get(key(type, id)) ?? readRows.get(key(type, id))) : undefined;
        if (read && db instanceof TransactionConnection) {
          // The bump travels with COMMIT, so concurrent member changes of one group wait for each other only while
          // PostgreSQL runs that last round trip, never while it travels through the service. Read with the lock, the
          // new version is known now; read without it, another PATCH may bump first, and the version is the one the
          // bump returns, set on the resource once it has run (callers that answer with it do so after the commit).
          // Events take a group's version from group_versions in the same statement (appendEventsStatement).
          const t = this.timestamp();
          const resource: StoredResource = { ...read, lastModified: t, version: read.version + 1 };
          db.deferWithResult(
            bumpGroupVersion,
            [tenant, id, t],
            (result) => {
              const version = (result.rows[0] as { version?: unknown } | undefined)?.version;
              if (version !== undefined) resource.version = Number(version);
            },
          );
          if (lockedRows.has(key(type, id))) lockedRows.set(key(type, id), resource);
          readRows.delete(key(type, id));
          log.record(type, id, 'updated', 'atCommit');
          return resource;
        }
        // A group's member change updates only its narrow version row (migration 7), never its resources row. The
        // document comes from this statement's snapshot; version and lastModified are exact (the row is locked).
        const text =
          type === 'Group'
            ? `UPDATE group_versions v SET version = v.version + 1, last_modified = $4 FROM resources r
                WHERE v.tenant = $1 AND v.group_id = $2 AND r.tenant = $1 AND r.id = $2 AND r.type = $3
                RETURNING r.id, r.type, r.data, r.created, v.last_modified, v.version`
            : `UPDATE resources r SET last_modified = $4, version = version + 1 WHERE r.tenant = $1 AND r.id = $2 AND r.type = $3 RETURNING ${resourceColumns}`;
        const { rows } = await this.sql<ResourceRow>(db, text, [tenant, id, type, this.timestamp()]);
        if (!rows[0]) return null;
        const resource = toResource(rows[0]);
        if (changes && type === 'User') lockedRows.set(key(type, id), resource); // the UPDATE locked it
        log.record(type, id, 'updated', resource.version);
        return resource;
      },
      deleteResource: async (type, id) => {
        lockedRows.delete(key(type, id));
        forgetGroups();
        // Emails and the group's own member rows go by ON DELETE CASCADE; its memberships in other groups here.
        const { rows } = await this.sql<{ n: number; groups: string[] }>(
          db,
          `WITH deleted AS (DELETE FROM resources WHERE tenant = $1 AND id = $2 AND type = $3 RETURNING id),
                memberships AS (DELETE FROM members WHERE tenant = $1 AND member_id IN (SELECT id FROM deleted) RETURNING group_id)
           SELECT (SELECT count(*)::int FROM deleted) AS n, array(SELECT group_id FROM memberships ORDER BY group_id) AS groups`,
          [tenant, id, type],
        );
        const deleted = Number(rows[0]?.n ?? 0) > 0;
        if (deleted) {
          log.record(type, id, 'deleted');
          // The groups it left change too: their subscribers hear it as group.updated { membersRemoved }.
          for (const groupId of rows[0]?.groups ?? []) log.members(groupId, [], [id]);
        }
        return deleted;
      },
      listMembers: async (groupId, options = {}) => {
        const { rows } = await this.sql<MemberRow>(
          db,
          'SELECT member_id, type, display FROM members WHERE tenant = $1 AND group_id = $2 AND member_id > $3 ORDER BY member_id LIMIT $4',
          [tenant, groupId, options.afterValue ?? '', options.limit ?? null],
        );
        return rows.map(memberFromRow);
      },
      countMembers: async (groupId) => {
        const { rows } = await this.sql<{ n: number }>(db, 'SELECT count(*)::int AS n FROM members WHERE tenant = $1 AND group_id = $2', [tenant, groupId]);
        return Number(rows[0]?.n ?? 0);
      },
      addMembers: async (groupId, members) => {
        forgetGroups();
        const list = uniqueMembers(members);
        if (list.length === 0) return [];
        const { rows } = await this.sql<{ member_id: string }>(
          db,
          `INSERT INTO members (tenant, group_id, member_id, type, display)
           SELECT $1, $2, m.value, m.type, m.display FROM unnest($3::text[], $4::text[], $5::text[]) AS m(value, type, display)
           ON CONFLICT DO NOTHING RETURNING member_id`,
          [tenant, groupId, list.map((m) => m.value), list.map((m) => m.type ?? null) as string[], list.map((m) => m.display ?? null) as string[]],
        );
        const added = rows.map((r) => r.member_id);
        log.members(groupId, added, []);
        return added;
      },
      addExistingMembers: async (groupId, members) => {
        forgetGroups();
        const list = uniqueMembers(members);
        if (list.length === 0) return { added: [], missing: [] };
        // The type comes from the resource; ids that are no resource of the tenant come back as `missing`.
        const { rows } = await this.sql<{ added: string[] | null; missing: string[] | null }>(
          db,
          `WITH wanted AS (SELECT m.value, m.display, m.ord FROM unnest($3::text[], $4::text[]) WITH ORDINALITY AS m(value, display, ord)),
                found AS (SELECT w.value, w.display, r.type FROM wanted w JOIN resources r ON r.tenant = $1 AND r.id = w.value),
                inserted AS (
                  INSERT INTO members (tenant, group_id, member_id, type, display)
                  SELECT $1, $2, f.value, f.type, f.display FROM found f
                  ON CONFLICT DO NOTHING RETURNING member_id)
           SELECT array(SELECT member_id FROM inserted) AS added,
                  array(SELECT w.value FROM wanted w WHERE NOT EXISTS (SELECT 1 FROM found f WHERE f.value = w.value) ORDER BY w.ord) AS missing`,
          [tenant, groupId, list.map((m) => m.value), list.map((m) => m.display ?? null) as string[]],
        );
        const added = rows[0]?.added ?? [];
        log.members(groupId, added, []);
        return { added, missing: rows[0]?.missing ?? [] };
      },
      removeMembers: async (groupId, values) => {
        forgetGroups();
        if (values.length === 0) return [];
        const { rows } = await this.sql<{ member_id: string }>(
          db, 'DELETE FROM members WHERE tenant = $1 AND group_id = $2 AND member_id = ANY($3::text[]) RETURNING member_id', [tenant, groupId, values],
        );
        const removed = rows.map((r) => r.member_id);
        log.members(groupId, [], removed);
        return removed;
      },
      removeAllMembers: async (groupId) => {
        forgetGroups();
        const { rowCount } = await this.sql(db, 'DELETE FROM members WHERE tenant = $1 AND group_id = $2', [tenant, groupId]);
        const removed = rowCount ?? 0;
        if (removed > 0) log.members(groupId, [], [], true);
        return removed;
      },
      groupsOf: async (memberId) => {
        const { rows } = await this.sql<{ group_id: string; display_json: string | null }>(
          db,
          `SELECT m.group_id, g.display_json
             FROM members m JOIN group_names g ON g.tenant = m.tenant AND g.group_id = m.group_id
            WHERE m.tenant = $1 AND m.member_id = $2 ORDER BY m.group_id`,
          [tenant, memberId],
        );
        return rows.map((r) => groupRef(r.group_id, r.display_json));
      },
      existingIds: async (ids) => {
        const found = new Map<string, ResourceType>();
        if (ids.length === 0) return found;
        const { rows } = await this.sql<{ id: string; type: string }>(db, 'SELECT id, type FROM resources WHERE tenant = $1 AND id = ANY($2::text[])', [tenant, ids]);
        for (const r of rows) found.set(r.id, r.type as ResourceType);
        return found;
      },
    };
  }

  /** The SQL of a query: `indexed` when filter and sort are fully translated, else the scan for the in-memory rest. */
  private querySql(tenant: string, type: ResourceType, query: ResourceQuery) {
    const startIndex = Math.max(1, Math.floor(query.startIndex ?? 1));
    const count = query.count === undefined ? Number.MAX_SAFE_INTEGER : Math.max(0, Math.floor(query.count));
    const { sql: where, residual } = query.filter ? splitPostgresFilter(query.filter, type, tenant) : { sql: null, residual: null };
    // The type is a literal (never user input): partial indexes (`WHERE type = 'User'`) stay usable in every plan.
    const whereSql = `r.tenant = ? AND r.type = '${type === 'Group' ? 'Group' : 'User'}'` + (where ? ` AND ${where.sql}` : '');
    const params: SqlParam[] = [tenant, ...(where?.params ?? [])];
    const descending = query.sortOrder === 'descending';
    const column = query.sortBy ? sortColumn(query.sortBy, type) : 'r.id';
    const from = resourcesOf(type);
    const select = `SELECT ${resourceColumns} FROM ${from}`;
    // Indexed lookups return each User's groups in the same statement (scans leave them to groupsOf).
    const pageSelect = query.withGroups && type === 'User' ? `SELECT ${resourceColumns}, ${groupsColumn} FROM ${from}` : select;
    const dir = descending ? 'DESC' : 'ASC';
    // With a filter, sort by an expression no index provides: otherwise, with ORDER BY … LIMIT, the planner may
    // walk the (tenant, type, id) index in order and filter row by row, i.e. scan the whole tenant for a
    // `userName eq` (seen on fresh tables before ANALYZE). The filter's own index must drive the lookup.
    const key = (c: string) => (where && c !== 'r.active' ? `(${c} || '')` : c);
    const order = column === null ? '' : column === 'r.id' ? `${key('r.id')} ${dir}` : `${column} IS NULL, ${key(column)} ${dir}, ${key('r.id')}`;
    const indexed = residual === null && column !== null;
    return {
      startIndex, count, whereSql, params, residual, column, indexed,
      // A key unique per tenant (userName, a group's displayName, id): no ORDER BY/LIMIT, so the prepared statement's
      // generic plan is the custom one and PostgreSQL stops planning it on every execution.
      single: indexed && query.filter !== undefined && matchesAtMostOne(query.filter, type),
      singleSql: numbered(`${pageSelect} WHERE ${whereSql}`),
      pageSql: numbered(`${pageSelect} WHERE ${whereSql} ORDER BY ${order} LIMIT ? OFFSET ?`),
      pageParams: [...params, Math.min(count, 2 ** 31), startIndex - 1],
      scanSql: numbered(`${select} WHERE ${whereSql} ORDER BY r.id`),
      countSql: numbered(`SELECT count(*)::int AS n FROM ${from} WHERE ${whereSql}`),
    };
  }

  /**
   * EXPLAIN of the statement a query runs (tests check that Entra's lookups use an index); `analyze` runs it and
   * adds the buffers it read (tests check that a lookup's cost does not grow with its groups' member changes).
   */
  async explainQuery(tenant: string, type: ResourceType, query: ResourceQuery, options: { analyze?: boolean } = {}): Promise<string[]> {
    const q = this.querySql(tenant, type, query);
    const [sql, params] = q.single ? [q.singleSql, q.params] : q.indexed ? [q.pageSql, q.pageParams] : [q.scanSql, q.params];
    const { rows } = await this.sql<{ 'QUERY PLAN': string }>(this.pool, `EXPLAIN${options.analyze ? ' (ANALYZE, BUFFERS)' : ''} ${sql}`, params);
    return rows.map((r) => r['QUERY PLAN']);
  }

  private async query(db: Queryable, tenant: string, type: ResourceType, query: ResourceQuery): Promise<QueryResult> {
    const { startIndex, count, params, residual, indexed, single, singleSql, pageSql, pageParams, scanSql, countSql } = this.querySql(tenant, type, query);
    if (single) {
      const rows = (await this.sql<ResourceRow>(db, singleSql, params)).rows;
      return { totalResults: rows.length, resources: rows.slice(startIndex - 1, startIndex - 1 + count).map(toResource) };
    }
    if (indexed) {
      const rows = count === 0 ? [] : (await this.sql<ResourceRow>(db, pageSql, pageParams)).rows;
      // A first page shorter than asked is the whole result: no COUNT needed (the common `userName eq` case).
      const total =
        startIndex === 1 && rows.length < count
          ? rows.length
          : Number((await this.sql<{ n: number }>(db, countSql, params)).rows[0]?.n ?? 0);
      return { totalResults: total, resources: rows.map(toResource) };
    }

    // Part of the filter (or the sort key) is not indexed: evaluate over the rows the indexed part selects.
    let resources = (await this.sql<ResourceRow>(db, scanSql, params)).rows.map(toResource);
    if (residual) {
      // Group members are rows, not part of `data`: load them when the residual filter looks at members.
      const withMembers = type === 'Group' && mentionsMembers(residual);
      const kept: StoredResource[] = [];
      for (const r of resources) {
        const doc = filterDocument(r);
        if (withMembers) {
          const { rows } = await this.sql<MemberRow>(
            db, 'SELECT member_id, type, display FROM members WHERE tenant = $1 AND group_id = $2 ORDER BY member_id', [tenant, r.id],
          );
          doc.members = rows.map((m) => ({ ...memberFromRow(m) }));
        }
        if (matchesFilter(doc, residual)) kept.push(r);
      }
      resources = kept;
    }
    return sortAndPage(resources, query, startIndex, count);
  }
}

/**
 * Opens the engine for a `postgres://` URL (`?schema=` selects a schema, created if missing; `pool_max`,
 * `connect_timeout_ms`, `statement_timeout_ms` tune the pool) and applies pending migrations.
 * An unreachable server raises StorageUnavailableError; a bad URL a plain Error that says what to fix.
 */
export async function openPostgresStorage(databaseUrl: string): Promise<PostgresStorage> {
  const settings = parsePostgresUrl(databaseUrl);
  const pool = createPool(settings);
  try {
    await migrate(pool, settings.schema);
  } catch (error) {
    await pool.end().catch(() => undefined);
    if (isUnavailableError(error)) throw new StorageUnavailableError('PostgreSQL is unavailable', 5, { cause: error });
    throw error;
  }
  return new PostgresStorage(pool, settings);
}
