// Property-based fuzzing (fast-check) of the running service over real HTTP, on both engines:
// filters, PATCH bodies and JSON payloads, valid, nearly valid and hostile. Properties: never a 5xx,
// never a crash, errors are SCIM error bodies, a rejected PATCH changes nothing (all or nothing), and
// the PostgreSQL engine returns the same filter results as SQLite on the same data (differential).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ScimResource } from '../resilience/support/scim-client.js';
import { anyFilter, patchBody, rawBody, userPayload, validFilter } from './support/arbitraries.js';
import { engines, expectScimError, useFuzzServices } from './support/fuzz-services.js';

const services = useFuzzServices();

/** A URL cannot carry lone UTF-16 surrogates (encodeURIComponent throws): real clients send U+FFFD. */
const query = (s: string) => encodeURIComponent(s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));

// Runs first, on the untouched seed data (the properties below change each engine's data differently).
describe('differential: PostgreSQL filters agree with SQLite on the same data', () => {
  it('same status and same userNames for hundreds of filters', async () => {
    await fc.assert(
      fc.asyncProperty(validFilter, async (filter) => {
        // ids and timestamps differ between the two services by construction; everything else must agree.
        fc.pre(!/(^|[\s(\[])(id|meta\.\w+)\s/i.test(filter));
        const q = `/Users?filter=${query(filter)}&count=100`;
        const [s, p] = await Promise.all([services.sqlite.client.request('GET', q), services.postgres.client.request('GET', q)]);
        expect(p.status, `${filter}: sqlite ${s.text} / postgres ${p.text}`).toBe(s.status);
        if (s.status === 200) {
          const names = (r: typeof s) => (r.body as { Resources: ScimResource[] }).Resources.map((u) => String(u.userName)).sort();
          expect(names(p), filter).toEqual(names(s));
        }
      }),
      { numRuns: 600 },
    );
  }, 60_000); // thousands of HTTP requests; CI runs two files at once

});

describe.each(engines)('fuzzing the running service (%s)', (engine) => {
  it('filters: 200 ListResponse or 400 SCIM error, never 5xx', async () => {
    const { client } = services[engine];
    await fc.assert(
      fc.asyncProperty(anyFilter, fc.constantFrom('/Users', '/Groups'), async (filter, resource) => {
        const res = await client.request('GET', `${resource}?filter=${query(filter)}`);
        expect(res.status === 200 || res.status === 400, `${res.status} for ${filter}: ${res.text}`).toBe(true);
        if (res.status === 400) expectScimError(res);
        else expect(Array.isArray((res.body as { Resources: unknown[] }).Resources)).toBe(true);
      }),
      { numRuns: 600 },
    );
  }, 60_000); // thousands of HTTP requests; CI runs two files at once

  it('POST payloads and raw bodies: never 5xx; a 201 is readable back', async () => {
    const { client } = services[engine];
    await fc.assert(
      fc.asyncProperty(fc.oneof(userPayload.map((p) => ({ json: p })), rawBody.map((r) => ({ raw: r }))), async (payload) => {
        const res = 'json' in payload ? await client.request('POST', '/Users', payload.json) : await client.request('POST', '/Users', payload.raw);
        expect(res.status < 500, `${res.status} for ${JSON.stringify(payload)}: ${res.text}`).toBe(true);
        if (res.status === 201) {
          const created = res.body as ScimResource;
          const read = await client.request('GET', `/Users/${created.id}`);
          expect(read.status).toBe(200);
          await client.request('DELETE', `/Users/${created.id}`);
        } else {
          expectScimError(res);
        }
      }),
      { numRuns: 300 },
    );
  }, 60_000); // thousands of HTTP requests; CI runs two files at once
});

describe('after fuzzing', () => {
  it('both processes are still alive and healthy', async () => {
    for (const engine of engines) {
      expect(services[engine].process.child.exitCode).toBeNull();
      expect((await fetch(`${services[engine].process.url}/healthz`)).status).toBe(200);
    }
  });
});
