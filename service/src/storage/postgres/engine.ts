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
import { mentionsMembers, numbered, sortColumn, splitPostgresFilter, type SqlParam } from './filter-sql.js';
import { migrate } from './migrate.js';
import { appendEvents } from './outbox.js';
import { emailRows, filterDocument, indexedValues, memberFromRow, resourceFromRow, sortAndPage, type MemberRow, type ResourceRowBase } from '../sql/documents.js';

type Queryable = pg.Pool | pg.PoolClient;

interface ResourceRow extends ResourceRowBase {
  /** [group id, group document] pairs ordered by id (json, parsed by pg), when the query asked for groups. */
  groups?: Array<[string, string]>;
}

/**
 * A User's groups as one column of the lookup. The group's document travels as text and displayName is read
 * in JS, as in groupsOf: json ->> refuses documents whose strings contain \u0000.
 */
const groupsColumn =
  "(SELECT coalesce(json_agg(json_build_array(m.group_id, g.data) ORDER BY m.group_id), '[]') FROM members m " +
  'JOIN resources g ON g.tenant = m.tenant AND g.id = m.group_id WHERE m.tenant = r.tenant AND m.member_id = r.id) AS groups';

interface TokenRow {
  id: string;
  tenant: string;
  hash: string;
  label: string | null;
  created: string;
  revoked: string | null;
}

const resourceColumns = 'r.id, r.type, r.data, r.created, r.last_modified, r.version';
const retryAttempts = 4;

/** The emails table's rows of a User document as the two arrays the insert unnests. */
function emailArrays(type: ResourceType, data: JsonObject): { values: string[]; types: Array<string | null> } {
  const rows = type === 'User' ? emailRows(data) : [];
  return { values: rows.map((e) => e.value), types: rows.map((e) => e.type) };
}

function groupRef(groupId: string, data: string): GroupRef {
  const display = (JSON.parse(data) as JsonObject).displayName;
  return typeof display === 'string' ? { value: groupId, display } : { value: groupId };
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

function toToken(r: TokenRow): TokenRecord {
  return { id: r.id, tenant: r.tenant, hash: r.hash, created: r.created, ...(r.label !== null ? { label: r.label } : {}), ...(r.revoked !== null ? { revoked: r.revoked } : {}) };
}

/** Changes of one transaction, one entry per resource, turned into outbox events just before COMMIT. */
interface PendingChange {
  resourceType: ResourceType;
  resourceId: string;
  kind: 'created' | 'updated' | 'deleted';
  version?: number;
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
  record(type: ResourceType, id: string, kind: PendingChange['kind'], version?: number): void {
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

  private async sql<T extends pg.QueryResultRow = Record<string, unknown>>(db: Queryable, text: string, params: SqlParam[] = []): Promise<pg.QueryResult<T>> {
    if (this.closed) throw new StorageUnavailableError('storage is closed');
    try {
      const result = await db.query<T>(text, params.map(withoutNul));
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
    const { rows } = await this.sql<TokenRow>(this.pool, 'SELECT * FROM tokens WHERE tenant = $1 ORDER BY created, id', [tenant]);
    return rows.map(toToken);
  }
  async activeTokens(tenant: string): Promise<TokenRecord[]> {
    const { rows } = await this.sql<TokenRow>(this.pool, 'SELECT * FROM tokens WHERE tenant = $1 AND revoked IS NULL ORDER BY created, id', [tenant]);
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
    await this.sql(
      db,
      'INSERT INTO audit (tenant, time, token_id, method, resource_type, resource_id, summary, status, outcome, dry_run) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)',
      [entry.tenant, entry.time, entry.tokenId ?? null, entry.method, entry.resourceType ?? null, entry.resourceId ?? null, entry.summary, entry.status, entry.outcome, entry.dryRun],
    );
  }
  async listAudit(tenant: string, options: { limit?: number; beforeSeq?: number } = {}): Promise<StoredAuditEntry[]> {
    const limit = Math.max(1, Math.min(options.limit ?? 100, 1000));
    const { rows } = await this.sql<Record<string, unknown>>(
      this.pool, 'SELECT * FROM audit WHERE tenant = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3', [tenant, options.beforeSeq ?? Number.MAX_SAFE_INTEGER, limit],
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
          await this.sql(client, 'BEGIN');
          try {
            const changes = new ChangeLog();
            const result = await work(this.makeStore(tenant, client, changes));
            if (options.rollback) {
              await this.sql(client, 'ROLLBACK');
              return result;
            }
            const entry = options.audit?.(result);
            if (entry) await this.insertAudit(client, entry);
            // Outbox rows last: appendEvent locks the tenant's counter row until COMMIT.
            await this.writeEvents(client, tenant, changes.list());
            await this.sql(client, 'COMMIT');
            return result;
          } catch (error) {
            await client.query('ROLLBACK').catch(() => undefined);
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

  /** All of a transaction's events in one statement (one round trip however many resources changed). */
  private async writeEvents(client: pg.PoolClient, tenant: string, changes: PendingChange[]): Promise<void> {
    if (changes.length === 0) return;
    const events = changes.map((change) => {
      const data: Record<string, unknown> = {};
      if (change.version !== undefined && change.kind !== 'deleted') data.version = change.version;
      if (change.membersAdded.length > 0) data.membersAdded = change.membersAdded;
      if (change.membersRemoved.length > 0) data.membersRemoved = change.membersRemoved;
      if (change.allMembersRemoved) data.allMembersRemoved = true;
      return { type: `${change.resourceType.toLowerCase()}.${change.kind}`, resourceType: change.resourceType, resourceId: change.resourceId, data };
    });
    try {
      await appendEvents(client, tenant, events);
      this.counters.statements++;
      this.counters.rows += events.length;
    } catch (error) {
      this.translate(error);
    }
  }

  // -- tenant store ---------------------------------------------------------------------------

  /** `changes` is null for the pool-backed read store (its writes are routed through `transaction`). */
  private makeStore(tenant: string, db: Queryable, changes: ChangeLog | null): TenantStore {
    // Inside a transaction a read locks the row: a concurrent writer on another replica waits for our
    // COMMIT, so version checks and read-modify-write (PATCH) never lose an update.
    const lock = changes ? ' FOR NO KEY UPDATE' : '';
    const log = changes ?? new ChangeLog();
    const getResource = async (type: ResourceType, id: string): Promise<StoredResource | null> => {
      const { rows } = await this.sql<ResourceRow>(db, `SELECT ${resourceColumns} FROM resources r WHERE r.tenant = $1 AND r.id = $2 AND r.type = $3${lock}`, [tenant, id, type]);
      return rows[0] ? toResource(rows[0]) : null;
    };

    return {
      tenant,
      getResource,
      query: (type, query) => this.query(db, tenant, type, query),
      insertResource: async (type, id, data) => {
        const t = this.timestamp();
        const d = indexedValues(type, data);
        const emails = emailArrays(type, data);
        try {
          await this.sql(
            db,
            `WITH inserted AS (
               INSERT INTO resources (tenant, id, type, data, created, last_modified, version, user_name_lc, external_id, display_name_lc, active)
               VALUES ($1, $2, $3, $4, $5, $5, 1, $6, $7, $8, $9) RETURNING tenant, id)
             INSERT INTO emails (tenant, user_id, value_lc, type_lc)
             SELECT inserted.tenant, inserted.id, e.value, e.type FROM inserted, unnest($10::text[], $11::text[]) AS e(value, type)`,
            [tenant, id, type, JSON.stringify(data), t, d.userNameLc, d.externalId, d.displayNameLc, d.active, emails.values, emails.types as string[]],
          );
        } catch (error) {
          if (error instanceof NotFoundError) throw new NotFoundError(`tenant "${tenant}" does not exist`);
          throw error;
        }
        log.record(type, id, 'created', 1);
        return { id, type, data, created: t, lastModified: t, version: 1 };
      },
      updateResource: async (type, id, data, expectedVersion) => {
        const current = await getResource(type, id);
        if (!current) return null;
        if (expectedVersion !== undefined && current.version !== expectedVersion) throw new VersionMismatchError();
        const t = this.timestamp();
        const d = indexedValues(type, data);
        const emails = emailArrays(type, data);
        const old = emailArrays(type, current.data);
        const emailsChanged = JSON.stringify(old) !== JSON.stringify(emails);
        // The version condition makes the check hold even for a caller that did not lock the row.
        const { rows } = await this.sql<{ version: number }>(
          db,
          `UPDATE resources SET data = $3, last_modified = $4, version = version + 1, user_name_lc = $5, external_id = $6, display_name_lc = $7, active = $8
            WHERE tenant = $1 AND id = $2 AND version = $9 RETURNING version`,
          [tenant, id, JSON.stringify(data), t, d.userNameLc, d.externalId, d.displayNameLc, d.active, current.version],
        );
        if (!rows[0]) throw new VersionMismatchError();
        if (emailsChanged) {
          await this.sql(
            db,
            `WITH gone AS (DELETE FROM emails WHERE tenant = $1 AND user_id = $2)
             INSERT INTO emails (tenant, user_id, value_lc, type_lc) SELECT $1, $2, e.value, e.type FROM unnest($3::text[], $4::text[]) AS e(value, type)`,
            [tenant, id, emails.values, emails.types as string[]],
          );
        }
        const version = Number(rows[0].version);
        log.record(type, id, 'updated', version);
        return { ...current, data, lastModified: t, version };
      },
      touchResource: async (type, id) => {
        const { rows } = await this.sql<ResourceRow>(
          db,
          `UPDATE resources r SET last_modified = $4, version = version + 1 WHERE r.tenant = $1 AND r.id = $2 AND r.type = $3 RETURNING ${resourceColumns}`,
          [tenant, id, type, this.timestamp()],
        );
        if (!rows[0]) return null;
        const resource = toResource(rows[0]);
        log.record(type, id, 'updated', resource.version);
        return resource;
      },
      deleteResource: async (type, id) => {
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
      findMembers: async (groupId, values) => {
        if (values.length === 0) return [];
        const { rows } = await this.sql<{ member_id: string }>(
          db, 'SELECT member_id FROM members WHERE tenant = $1 AND group_id = $2 AND member_id = ANY($3::text[])', [tenant, groupId, values],
        );
        const found = new Set(rows.map((r) => r.member_id));
        return values.filter((v) => found.has(v));
      },
      addMembers: async (groupId, members) => {
        const unique = new Map<string, Member>();
        for (const m of members) if (!unique.has(m.value)) unique.set(m.value, m);
        if (unique.size === 0) return 0;
        const list = [...unique.values()];
        const { rows } = await this.sql<{ member_id: string }>(
          db,
          `INSERT INTO members (tenant, group_id, member_id, type, display)
           SELECT $1, $2, m.value, m.type, m.display FROM unnest($3::text[], $4::text[], $5::text[]) AS m(value, type, display)
           ON CONFLICT DO NOTHING RETURNING member_id`,
          [tenant, groupId, list.map((m) => m.value), list.map((m) => m.type ?? null) as string[], list.map((m) => m.display ?? null) as string[]],
        );
        log.members(groupId, rows.map((r) => r.member_id), []);
        return rows.length;
      },
      removeMembers: async (groupId, values) => {
        if (values.length === 0) return 0;
        const { rows } = await this.sql<{ member_id: string }>(
          db, 'DELETE FROM members WHERE tenant = $1 AND group_id = $2 AND member_id = ANY($3::text[]) RETURNING member_id', [tenant, groupId, values],
        );
        log.members(groupId, [], rows.map((r) => r.member_id));
        return rows.length;
      },
      removeAllMembers: async (groupId) => {
        const { rowCount } = await this.sql(db, 'DELETE FROM members WHERE tenant = $1 AND group_id = $2', [tenant, groupId]);
        const removed = rowCount ?? 0;
        if (removed > 0) log.members(groupId, [], [], true);
        return removed;
      },
      groupsOf: async (memberId) => {
        // displayName is read in JS: PostgreSQL's json ->> refuses documents whose strings contain \u0000.
        const { rows } = await this.sql<{ group_id: string; data: string }>(
          db,
          `SELECT m.group_id, r.data
             FROM members m JOIN resources r ON r.tenant = m.tenant AND r.id = m.group_id
            WHERE m.tenant = $1 AND m.member_id = $2 ORDER BY m.group_id`,
          [tenant, memberId],
        );
        return rows.map((r) => groupRef(r.group_id, r.data));
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
    const select = `SELECT ${resourceColumns} FROM resources r`;
    // Indexed lookups return each User's groups in the same statement (scans leave them to groupsOf).
    const pageSelect = query.withGroups && type === 'User' ? `SELECT ${resourceColumns}, ${groupsColumn} FROM resources r` : select;
    const dir = descending ? 'DESC' : 'ASC';
    // With a filter, sort by an expression no index provides: otherwise, with ORDER BY … LIMIT, the planner may
    // walk the (tenant, type, id) index in order and filter row by row, i.e. scan the whole tenant for a
    // `userName eq` (seen on fresh tables before ANALYZE). The filter's own index must drive the lookup.
    const key = (c: string) => (where && c !== 'r.active' ? `(${c} || '')` : c);
    const order = column === null ? '' : column === 'r.id' ? `${key('r.id')} ${dir}` : `${column} IS NULL, ${key(column)} ${dir}, ${key('r.id')}`;
    return {
      startIndex, count, whereSql, params, residual, column,
      indexed: residual === null && column !== null,
      pageSql: numbered(`${pageSelect} WHERE ${whereSql} ORDER BY ${order} LIMIT ? OFFSET ?`),
      pageParams: [...params, Math.min(count, 2 ** 31), startIndex - 1],
      scanSql: numbered(`${select} WHERE ${whereSql} ORDER BY r.id`),
      countSql: numbered(`SELECT count(*)::int AS n FROM resources r WHERE ${whereSql}`),
    };
  }

  /** EXPLAIN of the statement a query runs (tests check that Entra's lookups use an index). */
  async explainQuery(tenant: string, type: ResourceType, query: ResourceQuery): Promise<string[]> {
    const q = this.querySql(tenant, type, query);
    const { rows } = await this.sql<{ 'QUERY PLAN': string }>(this.pool, `EXPLAIN ${q.indexed ? q.pageSql : q.scanSql}`, q.indexed ? q.pageParams : q.params);
    return rows.map((r) => r['QUERY PLAN']);
  }

  private async query(db: Queryable, tenant: string, type: ResourceType, query: ResourceQuery): Promise<QueryResult> {
    const { startIndex, count, params, residual, indexed, pageSql, pageParams, scanSql, countSql } = this.querySql(tenant, type, query);
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
