// A transaction's connection that sends BEGIN with the transaction's first statement and COMMIT with its last,
// and holds back writes whose outcome the engine already knows until the next statement or COMMIT.
// node-postgres does not pipeline, so every statement is a round trip, and on a busy machine each round trip is
// two process wake-ups; with a remote database each is network latency. A SCIM write was 6-11 statements; it is
// 1-5 now (docs/production.md#round-trips).
//
// What travels together goes as one simple-protocol query, which cannot carry bind parameters: the values go in as quoted
// literals. Quoted, every value is an untyped literal that PostgreSQL types from its context, exactly as it types
// node-postgres's untyped text parameters, so the statement means the same as with `$n`.
//
// A statement with a name goes as `EXECUTE name('…', …)` of a statement prepared on the connection with SQL PREPARE
// (sent in front of the first batch that needs it): PostgreSQL then parses a one-line EXECUTE and plans from its plan
// cache instead of parsing and planning the whole statement again, which was most of its CPU time for SCIM writes.
import pg from 'pg';

type Row = pg.QueryResultRow;

/** Names of the statements prepared with SQL PREPARE on each connection (they live as long as its session). */
const preparedBySql = new WeakMap<pg.PoolClient, Set<string>>();

/** A statement's name on its connection, or undefined to send it as literal text (see PostgresStorage.statementName). */
export type StatementNamer = (text: string) => string | undefined;

export class TransactionConnection {
  private begun = false;
  /** Writes whose outcome the caller already knows (see `defer`), not sent yet. */
  private deferred: Deferred[] = [];
  /** A batch that carried PREPAREs failed: which of them ran is unknown until ROLLBACK asks the server. */
  private resync = false;
  private readonly prepared: Set<string>;

  constructor(
    private readonly client: pg.PoolClient,
    private readonly nameOf: StatementNamer = () => undefined,
  ) {
    let prepared = preparedBySql.get(client);
    if (!prepared) preparedBySql.set(client, (prepared = new Set()));
    this.prepared = prepared;
  }

  /** True between the first statement (which carried BEGIN) and COMMIT/ROLLBACK. */
  get open(): boolean {
    return this.begun;
  }

  /**
   * Queues a write whose result the caller can tell without the database (an insert, or an update of a row this
   * transaction holds locked): it travels with the next statement, or with COMMIT. Its errors (a uniqueness
   * violation) then surface from that statement, still inside the transaction.
   */
  defer(text: string, values: readonly unknown[]): void {
    this.deferred.push({ text, values });
  }

  /**
   * Like `defer`, for a write the caller needs the rows of only after the transaction: `onResult` gets them when the
   * statement has run (with the next statement, or with COMMIT). A failure fails the transaction, so it is not reported
   * here.
   */
  deferWithResult(text: string, values: readonly unknown[], onResult: (result: pg.QueryResult) => void): void {
    this.deferred.push({ text, values, onResult });
  }

  /** A statement `nameOf` names is prepared on this connection (by pg's protocol, or by PREPARE in a batch). */
  async query<T extends Row = Row>(text: string, values: readonly unknown[] = []): Promise<pg.QueryResult<T>> {
    if (this.begun && this.deferred.length === 0) return this.client.query<T>(statement(text, values, this.nameOf(text)));
    const results = await this.send([...this.pending(), { text, values }]);
    return results[results.length - 1] as pg.QueryResult<T>;
  }

  /**
   * Runs the transaction's last statement and COMMIT in one round trip. When nothing was sent or deferred yet, the
   * statement runs on its own: one statement is atomic without BEGIN.
   */
  async commitWith<T extends Row = Row>(text: string, values: readonly unknown[] = []): Promise<pg.QueryResult<T>> {
    if (!this.begun && this.deferred.length === 0) return this.client.query<T>(statement(text, values, this.nameOf(text)));
    const results = await this.send([...this.pending(), { text, values }, 'COMMIT']);
    this.begun = false;
    return results[results.length - 2] as pg.QueryResult<T>;
  }

  async commit(): Promise<void> {
    if (this.deferred.length > 0) await this.send([...this.pending(), 'COMMIT']);
    else if (this.begun) await this.client.query('COMMIT');
    this.begun = false;
  }

  /** Ends a dry run: deferred writes still run, so it fails exactly where the real request would. */
  async runAndRollback(): Promise<void> {
    if (this.deferred.length > 0) await this.send([...this.pending(), 'ROLLBACK']);
    else if (this.begun) await this.client.query('ROLLBACK');
    this.begun = false;
  }

  /** After a failure: deferred writes are dropped. */
  async rollback(): Promise<void> {
    this.deferred = [];
    if (!this.begun) return;
    this.begun = false;
    if (!this.resync) {
      await this.client.query('ROLLBACK');
      return;
    }
    // PREPARE is not transactional: those that ran before the failure stay, the others never ran.
    const results = (await this.client.query('ROLLBACK; SELECT name FROM pg_prepared_statements WHERE from_sql')) as unknown as pg.QueryResult<{ name: string }>[];
    this.prepared.clear();
    for (const row of results[1]?.rows ?? []) this.prepared.add(row.name);
    this.resync = false;
  }

  /** BEGIN (unless sent) and the deferred writes, to go first in the next query string. */
  private pending(): Batched[] {
    const texts: Batched[] = [...(this.begun ? [] : begin), ...this.deferred];
    this.deferred = [];
    return texts;
  }

  /** One simple-protocol query; BEGIN counts as sent from here on, so a failure is followed by ROLLBACK. */
  private async send(batch: Batched[]): Promise<pg.QueryResult[]> {
    this.begun = true;
    const prepares: string[] = [];
    const names: string[] = [];
    const texts = batch.map((b) => {
      if (typeof b === 'string') return b;
      const prepared = this.nameOf(b.text);
      if (prepared === undefined) return inlineParameters(b.text, b.values);
      const name = `${prepared}_sql`;
      if (!this.prepared.has(name) && !names.includes(name)) {
        names.push(name);
        prepares.push(`PREPARE ${name} AS ${b.text}`);
      }
      return b.values.length > 0 ? `EXECUTE ${name}(${b.values.map(literal).join(', ')})` : `EXECUTE ${name}`;
    });
    // PREPAREs go first: when a later statement fails they have all run (rollback checks anyway).
    let results: pg.QueryResult[];
    try {
      results = (await this.client.query([...prepares, ...texts].join('; '))) as unknown as pg.QueryResult[];
    } catch (error) {
      if (names.length > 0) this.resync = true;
      throw error;
    }
    for (const name of names) this.prepared.add(name);
    batch.forEach((b, i) => {
      if (typeof b !== 'string' && b.onResult) b.onResult(results[prepares.length + i]!);
    });
    return results;
  }
}

/** A write held back until the next statement or COMMIT; `onResult` gets its rows once it has run. */
interface Deferred {
  text: string;
  values: readonly unknown[];
  onResult?: (result: pg.QueryResult) => void;
}

/**
 * A transaction's first statements. Its writes and reads go by key (id, userName, member ids), where the generic
 * plan is the custom one; left to choose, PostgreSQL re-planned the member insert and delete (array parameters) on
 * every execution, 0.5 ms of its CPU per member PATCH. SET LOCAL ends with the transaction; lookups by filter
 * from GET requests run outside transactions and keep PostgreSQL's own choice.
 */
const begin = ['BEGIN', 'SET LOCAL plan_cache_mode = force_generic_plan'];

/** A statement of a batch: literal text (BEGIN, COMMIT) or a statement with its parameters. */
type Batched = string | Deferred;

/** A query config: named (prepared once per connection, planned from its cache) when `name` is given. */
export function statement(text: string, values: readonly unknown[], name?: string): pg.QueryConfig {
  return name === undefined ? { text, values: values as unknown[] } : { name, text, values: values as unknown[] };
}

// A quoted literal is copied as it is (a `$1` inside quotes is text, not a parameter).
const parameterOrQuoted = /('(?:[^']|'')*')|\$(\d+)/g;

/** `text` with each `$n` replaced by the literal of `values[n - 1]`. */
export function inlineParameters(text: string, values: readonly unknown[]): string {
  // The scan knows plain '…' literals only: refuse what it would misread rather than send a wrong statement.
  if (/--|\/\*|\$\$|\$[A-Za-z_]\w*\$|\b[EeUu]&?'/.test(text)) {
    throw new Error('a statement sent with BEGIN or COMMIT may not contain comments, dollar quotes or E/U& strings');
  }
  return text.replace(parameterOrQuoted, (_match, quoted: string | undefined, index: string | undefined) => {
    if (quoted !== undefined) return quoted;
    const i = Number(index) - 1;
    if (i >= values.length) throw new RangeError(`the statement uses $${index} but has ${values.length} parameter(s)`);
    return literal(values[i]);
  });
}

/** The quoted literal node-postgres's text parameter would carry (null and undefined → NULL). */
export function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'string') return pg.escapeLiteral(value);
  if (typeof value === 'boolean') return value ? "'true'" : "'false'";
  if (typeof value === 'number' && Number.isFinite(value)) return `'${value}'`;
  if (typeof value === 'bigint') return `'${value}'`;
  if (Array.isArray(value)) return pg.escapeLiteral(arrayLiteral(value));
  throw new TypeError(`a ${typeof value} parameter cannot be sent as an SQL literal`);
}

/** PostgreSQL's array input syntax, as node-postgres writes arrays: every string element double-quoted. */
function arrayLiteral(values: readonly unknown[]): string {
  const element = (v: unknown): string => {
    if (v === null || v === undefined) return 'NULL';
    if (typeof v === 'string') return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    throw new TypeError(`a ${typeof v} array element cannot be sent as an SQL literal`);
  };
  return `{${values.map(element).join(',')}}`;
}
