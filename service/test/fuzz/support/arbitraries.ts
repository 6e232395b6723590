// fast-check generators for what Entra (and worse clients) send: RFC 7644 filters that are valid,
// nearly valid and garbage; PATCH bodies in Entra's and the RFC's shapes with hostile values; and
// arbitrary JSON payloads.
import fc from 'fast-check';

const userAttributes = [
  'userName', 'externalId', 'id', 'displayName', 'active', 'title', 'nickName', 'locale', 'timezone', 'userType',
  'name.givenName', 'name.familyName', 'name.formatted', 'emails.value', 'emails.type', 'emails.primary',
  'phoneNumbers.value', 'addresses.postalCode', 'roles.value', 'meta.created', 'meta.lastModified',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value',
  'urn:ietf:params:scim:schemas:core:2.0:User:userName',
  'unknownAttribute', 'name.unknown',
];

const compareOps = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'];

/** An operator in random letter case (the grammar says operators are case-insensitive). */
const anyCase = (word: string) =>
  fc.array(fc.boolean(), { minLength: word.length, maxLength: word.length }).map((upper) =>
    [...word].map((ch, i) => (upper[i] ? ch.toUpperCase() : ch)).join(''),
  );

const hostileString = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.constantFrom("'; DROP TABLE users; --", '%', '_', '\\', '\\"', '\u0000', 'ä@例え.jp', ' ', '"', '*', '%_%', '$1', '::text', 'null'),
);

const jsonStringLiteral = hostileString.map((s) => JSON.stringify(s));

const filterValue = fc.oneof(
  jsonStringLiteral,
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.constantFrom('true', 'false', 'null', 'True', '"True"', '"2024-01-01T00:00:00Z"', '1e309', '-0'),
);

const attrPath = fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...userAttributes) }, { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z][\w.:$-]{0,15}$/) });

const comparison = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(attrPath, fc.constantFrom(...compareOps).chain(anyCase), filterValue).map(([a, o, v]) => `${a} ${o} ${v}`) },
  { weight: 1, arbitrary: fc.tuple(attrPath, anyCase('pr')).map(([a, o]) => `${a} ${o}`) },
);

/** Syntactically valid filters (possibly naming attributes the server does not know). */
export const validFilter: fc.Arbitrary<string> = fc.letrec<{ filter: string }>((tie) => ({
  filter: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    comparison,
    fc.tuple(tie('filter'), fc.constantFrom('and', 'or', 'AND', 'Or'), tie('filter')).map(([l, op, r]) => `${l} ${op} ${r}`),
    tie('filter').map((f) => `(${f})`),
    tie('filter').map((f) => `not (${f})`),
    fc.tuple(fc.constantFrom('emails', 'phoneNumbers', 'addresses', 'roles', 'members'), comparison).map(([a, f]) => `${a}[${f.replace(/^\S+/, (p) => p.split('.').pop() ?? p)}]`),
    fc.tuple(fc.constantFrom('emails', 'roles'), comparison).map(([a, f]) => `${a}[${f.replace(/^\S+/, 'type')}].value eq "x"`),
  ),
})).filter;

/** Valid filters with one random edit: truncation, a dropped or doubled character, an injected token. */
export const brokenFilter: fc.Arbitrary<string> = fc
  .tuple(validFilter, fc.nat(), fc.constantFrom('truncate', 'drop', 'double', 'inject'), fc.constantFrom('(', ')', '"', '[', ']', ' and', ' not', '\\', ' eq', '.', ':'))
  .map(([f, n, how, token]) => {
    const i = f.length === 0 ? 0 : n % f.length;
    if (how === 'truncate') return f.slice(0, i);
    if (how === 'drop') return f.slice(0, i) + f.slice(i + 1);
    if (how === 'double') return f.slice(0, i) + f[i] + f.slice(i);
    return f.slice(0, i) + token + f.slice(i);
  });

export const anyFilter = fc.oneof(validFilter, brokenFilter, fc.string({ maxLength: 40 }));

const patchPaths = [
  'userName', 'displayName', 'externalId', 'active', 'title', 'name.givenName', 'name.familyName',
  'emails[type eq "work"].value', 'emails[type eq "work"].primary', 'phoneNumbers[type eq "mobile"].value',
  'addresses[type eq "work"].postalCode', 'roles', 'roles[primary eq "True"].value',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager', 'manager',
  'members', 'members[value eq "00000000-0000-0000-0000-000000000000"]', 'emails[', 'name..givenName', 'meta.created', 'id', '',
];

const scalar = fc.oneof(hostileString, fc.boolean(), fc.integer(), fc.constantFrom('True', 'False', 'true', 'false', null));

export const jsonValue = fc.jsonValue({ maxDepth: 3 });

const patchValue = fc.oneof(
  scalar,
  jsonValue,
  fc.array(fc.record({ value: scalar, $ref: fc.constant(null) }, { requiredKeys: ['value'] }), { maxLength: 4 }),
  fc.dictionary(fc.constantFrom('userName', 'displayName', 'active', 'name.givenName', 'emails[type eq "work"].value', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department', 'x.y.z'), scalar, { maxKeys: 4 }),
  fc.constant(JSON.stringify({ id: 'r1', value: 'Admin', displayName: 'Admin' })),
);

export const patchOperation = fc.record(
  {
    op: fc.oneof(fc.constantFrom('add', 'replace', 'remove').chain(anyCase), hostileString, fc.constant(null)),
    path: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...patchPaths) }, { weight: 1, arbitrary: hostileString }),
    value: patchValue,
  },
  { requiredKeys: ['op'] },
);

/** PATCH bodies: mostly well-formed PatchOp envelopes with hostile operations, sometimes any JSON. */
export const patchBody = fc.oneof(
  { weight: 6, arbitrary: fc.record({ schemas: fc.constant(['urn:ietf:params:scim:api:messages:2.0:PatchOp']), Operations: fc.array(patchOperation, { minLength: 1, maxLength: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ schemas: fc.oneof(jsonValue, fc.constant([])), Operations: fc.oneof(jsonValue, fc.array(jsonValue, { maxLength: 3 })) }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: jsonValue },
);

/** POST /Users payloads: the known attributes with values of every type, plus anything else. */
export const userPayload = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record(
      {
        schemas: fc.oneof(fc.constant(['urn:ietf:params:scim:schemas:core:2.0:User']), jsonValue),
        userName: fc.oneof(hostileString, jsonValue),
        externalId: fc.oneof(hostileString, jsonValue),
        active: fc.oneof(fc.boolean(), fc.constantFrom('True', 'False', 'yes'), jsonValue),
        displayName: fc.oneof(hostileString, jsonValue),
        name: fc.oneof(fc.record({ givenName: hostileString, familyName: hostileString }, { requiredKeys: [] }), jsonValue),
        emails: fc.oneof(fc.array(fc.record({ value: hostileString, type: fc.constantFrom('work', 'home', 'Work'), primary: fc.oneof(fc.boolean(), fc.constant('true')) }, { requiredKeys: [] }), { maxLength: 3 }), jsonValue),
        roles: fc.oneof(fc.constant([]), fc.array(fc.record({ value: hostileString, primary: fc.boolean() }), { maxLength: 2 }), jsonValue),
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': fc.oneof(fc.record({ employeeNumber: hostileString, manager: fc.oneof(hostileString, fc.record({ value: hostileString })) }, { requiredKeys: [] }), jsonValue),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: jsonValue },
);

/** Raw request bodies that are not JSON at all, or almost JSON. */
export const rawBody = fc.oneof(
  fc.string({ maxLength: 60 }),
  jsonValue.map((v) => JSON.stringify(v)).chain((s) => fc.nat({ max: Math.max(s.length - 1, 0) }).map((n) => s.slice(0, n))),
  fc.constantFrom('{', '{"userName":', '[', 'null', '""', '{"__proto__":{"polluted":true}}', '{"constructor":{"prototype":{"x":1}}}'),
);
