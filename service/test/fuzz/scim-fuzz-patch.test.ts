// PATCH fuzzing (it found a 500 for `add` without path and value, fixed in the SCIM layer by 11d1c9d).
// Property-based fuzzing (fast-check) of the running service over real HTTP, on both engines:
// filters, PATCH bodies and JSON payloads, valid, nearly valid and hostile. Properties: never a 5xx,
// never a crash, errors are SCIM error bodies, a rejected PATCH changes nothing (all or nothing), and
// the PostgreSQL engine returns the same filter results as SQLite on the same data (differential).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { patchBody } from './support/arbitraries.js';
import { engines, expectScimError, useFuzzServices } from './support/fuzz-services.js';

const services = useFuzzServices();


describe.each(engines)('fuzzing PATCH on the running service (%s)', (engine) => {
  it('PATCH bodies: never 5xx; a rejected PATCH leaves the resource exactly as it was', async () => {
    const { client, userIds, groupId } = services[engine];
    await fc.assert(
      fc.asyncProperty(patchBody, fc.integer({ min: 0, max: userIds.length }), async (body, target) => {
        const path = target === userIds.length ? `/Groups/${groupId}` : `/Users/${userIds[target]}`;
        const before = await client.request('GET', path);
        const res = await client.request('PATCH', path, body);
        expect(res.status < 500, `${res.status} for ${JSON.stringify(body)}: ${res.text}`).toBe(true);
        const after = await client.request('GET', path);
        expect(after.status).toBe(200);
        if (res.status >= 400) {
          expectScimError(res);
          expect(after.body).toEqual(before.body);
        }
      }),
      { numRuns: 400 },
    );
  }, 60_000); // thousands of HTTP requests; CI runs two files at once

});
