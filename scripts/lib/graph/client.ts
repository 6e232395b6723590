// A thin Graph API over @microsoft/microsoft-graph-client: JSON in and out, retries (middleware.ts),
// @odata.nextLink paging, and errors translated into CliErrors (errors.ts).
import { Client, GraphError } from '@microsoft/microsoft-graph-client';
import { CliError } from '../cli/errors.js';
import { ScriptAuthProvider, type CredentialKind } from './auth.js';
import { graphFailureToCliError, type Operation } from './errors.js';
import { middlewareChain, type RetryEvent } from './middleware.js';

export interface GraphApiOptions {
  graphUrl: string;
  version?: 'v1.0' | 'beta';
  maxRetries?: number;
  baseDelayMs?: number;
  onRetry?: (event: RetryEvent) => void;
  env?: NodeJS.ProcessEnv;
}

export interface GraphApi {
  readonly graphUrl: string;
  readonly credential: CredentialKind;
  /** Counts of calls made (operation counts for tests and --verbose). */
  readonly calls: { total: number; retries: number };
  get<T>(path: string, op: Operation, query?: Record<string, string>): Promise<T>;
  /** All pages (following @odata.nextLink), or stop once `maxItems` were read. */
  list<T>(path: string, op: Operation, query?: Record<string, string>, maxItems?: number): Promise<T[]>;
  post<T = void>(path: string, body: unknown, op: Operation): Promise<T>;
  put<T = void>(path: string, body: unknown, op: Operation): Promise<T>;
  patch<T = void>(path: string, body: unknown, op: Operation): Promise<T>;
  delete(path: string, op: Operation): Promise<void>;
}

export function normaliseGraphUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError(`'${url}' is not a URL.`, { exitCode: 2, code: 'UsageError', fix: 'Pass --graph-url https://graph.microsoft.com (or the emulator URL printed by npm run local).' });
  }
  // Accept both the host and a URL that already names the version.
  return parsed.toString().replace(/\/+$/, '').replace(/\/(v1\.0|beta)$/, '');
}

export function createGraphApi(options: GraphApiOptions): GraphApi {
  const graphUrl = normaliseGraphUrl(options.graphUrl);
  const version = options.version ?? 'v1.0';
  const provider = new ScriptAuthProvider(graphUrl, options.env);
  let authFailure: unknown;
  const calls = { total: 0, retries: 0 };
  const client = Client.initWithMiddleware({
    baseUrl: graphUrl,
    defaultVersion: version,
    middleware: middlewareChain(
      {
        async getAccessToken() {
          try {
            return await provider.getAccessToken();
          } catch (error) {
            authFailure = error;
            throw error;
          }
        },
      },
      {
        maxRetries: options.maxRetries ?? Number(process.env.GRAPH_MAX_RETRIES ?? 4),
        baseDelayMs: options.baseDelayMs ?? Number(process.env.GRAPH_RETRY_BASE_MS ?? 1000),
        maxDelayMs: 30_000,
        onRetry: (event) => {
          calls.retries++;
          options.onRetry?.(event);
        },
      },
    ),
  });

  const prefix = `${graphUrl}/${version}`;
  /** nextLink is absolute; the client wants a path (it only strips https:// bases itself). */
  const relative = (link: string): string => (link.startsWith(prefix) ? link.slice(prefix.length) : link);

  async function call<T>(op: Operation, run: () => Promise<T>): Promise<T> {
    calls.total++;
    authFailure = undefined;
    try {
      return await run();
    } catch (error) {
      if (authFailure instanceof CliError) throw authFailure;
      if (error instanceof CliError) throw error;
      if (error instanceof GraphError) {
        throw graphFailureToCliError({ status: error.statusCode, code: error.code ?? '', message: error.message || String(error.body ?? ''), requestId: error.requestId }, op, graphUrl);
      }
      throw graphFailureToCliError({ status: -1, code: '', message: (error as Error).message }, op, graphUrl);
    }
  }

  const request = (path: string, query?: Record<string, string>) => {
    const r = client.api(path);
    // The client joins query values verbatim: encode them so values with & # + or spaces survive.
    if (query) r.query(Object.fromEntries(Object.entries(query).map(([k, v]) => [k, encodeURIComponent(v)])));
    return r;
  };

  return {
    graphUrl,
    credential: provider.kind,
    calls,
    get: (path, op, query) => call(op, () => request(path, query).get()),
    async list<T>(path: string, op: Operation, query?: Record<string, string>, maxItems = Infinity): Promise<T[]> {
      const items: T[] = [];
      let page = await call(op, () => request(path, query).get() as Promise<{ value?: T[]; '@odata.nextLink'?: string }>);
      items.push(...(page.value ?? []));
      const seen = new Set<string>();
      while (page['@odata.nextLink'] && items.length < maxItems) {
        const link = page['@odata.nextLink'];
        if (seen.has(link)) break; // a server repeating itself must not loop us forever
        seen.add(link);
        page = await call(op, () => client.api(relative(link)).get() as Promise<typeof page>);
        items.push(...(page.value ?? []));
      }
      return items;
    },
    post: (path, body, op) => call(op, () => client.api(path).post(body ?? {})),
    put: (path, body, op) => call(op, () => client.api(path).put(body)),
    patch: (path, body, op) => call(op, () => client.api(path).patch(body)),
    delete: (path, op) => call(op, () => client.api(path).delete()),
  };
}
