// A minimal SCIM client speaking the way Entra does (scim+json bodies, capitalised PATCH ops, bearer
// token), for driving real service processes in the resilience and replica tests.
// Reference: /work/shared/reference/entra-scim-client.md §1.1 (lifecycle) and §1.2 (request format).

export interface ScimResponse {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

export interface ScimResource {
  id: string;
  meta?: { version?: string };
  [key: string]: unknown;
}

export interface ScimClient {
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ScimResponse>;
  createUser(userName: string, extra?: Record<string, unknown>): Promise<ScimResponse>;
  createGroup(displayName: string): Promise<ScimResponse>;
  addMembers(groupId: string, memberIds: string[]): Promise<ScimResponse>;
  removeMembers(groupId: string, memberIds: string[]): Promise<ScimResponse>;
  findUser(userName: string): Promise<ScimResponse>;
}

export const userSchema = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const groupSchema = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const patchSchema = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export function scimClient(baseUrl: string, tenant: string, token: string, options: { timeoutMs?: number } = {}): ScimClient {
  const root = `${baseUrl}/scim/${tenant}`;
  const request = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ScimResponse> => {
    const res = await fetch(root + path, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/scim+json; charset=utf-8' }),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, body: parsed, text };
  };
  return {
    request,
    createUser: (userName, extra = {}) =>
      request('POST', '/Users', {
        schemas: [userSchema],
        userName,
        active: true,
        displayName: userName,
        emails: [{ type: 'work', value: userName, primary: true }],
        ...extra,
      }),
    createGroup: (displayName) => request('POST', '/Groups', { schemas: [groupSchema], displayName, members: [] }),
    addMembers: (groupId, memberIds) =>
      request('PATCH', `/Groups/${groupId}`, {
        schemas: [patchSchema],
        Operations: [{ op: 'Add', path: 'members', value: memberIds.map((value) => ({ $ref: null, value })) }],
      }),
    removeMembers: (groupId, memberIds) =>
      request('PATCH', `/Groups/${groupId}`, {
        schemas: [patchSchema],
        Operations: [{ op: 'Remove', path: 'members', value: memberIds.map((value) => ({ value })) }],
      }),
    findUser: (userName) => request('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`),
  };
}

/** All member ids of a group, read through the API page by page if needed. */
export async function groupMemberIds(client: ScimClient, groupId: string): Promise<string[]> {
  const res = await client.request('GET', `/Groups/${groupId}`);
  if (res.status !== 200) throw new Error(`GET group ${groupId} answered ${res.status}: ${res.text}`);
  const members = (res.body as { members?: { value: string }[] }).members ?? [];
  return members.map((m) => m.value);
}

/** Runs `tasks` with at most `concurrency` in flight. */
export async function runConcurrently<T>(tasks: (() => Promise<T>)[], concurrency: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, tasks.length) }, async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]!();
    }
  });
  await Promise.all(workers);
  return results;
}
