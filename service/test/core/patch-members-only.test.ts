// changesOnlyMembers decides whether a group PATCH may read the group without locking it (handlers.ts): it must say
// yes only when no operation can touch the group's own attributes.
import { describe, expect, it } from 'vitest';
import { changesOnlyMembers, parsePatchBody } from '../../src/scim/patch.js';

const ops = (...operations: unknown[]) => parsePatchBody({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: operations });

describe('changesOnlyMembers', () => {
  it("is true for Entra's member batches: members paths in any case, value filters, and a no-path members value", () => {
    expect(changesOnlyMembers(ops({ op: 'Add', path: 'members', value: [{ value: 'u1' }] }, { op: 'Remove', path: 'Members', value: [{ value: 'u2' }] }))).toBe(true);
    expect(changesOnlyMembers(ops({ op: 'remove', path: 'members[value eq "u1"]' }))).toBe(true);
    expect(changesOnlyMembers(ops({ op: 'add', value: { members: [{ value: 'u1' }] } }))).toBe(true);
  });

  it('is false as soon as one operation may change anything else', () => {
    expect(changesOnlyMembers(ops({ op: 'Add', path: 'members', value: [{ value: 'u1' }] }, { op: 'Replace', path: 'displayName', value: 'x' }))).toBe(false);
    expect(changesOnlyMembers(ops({ op: 'replace', value: { members: [], displayName: 'x' } }))).toBe(false);
    expect(changesOnlyMembers(ops({ op: 'replace', value: {} }))).toBe(false);
    expect(changesOnlyMembers(ops({ op: 'add', path: 'membersExtra', value: 'x' }))).toBe(false);
    expect(changesOnlyMembers(ops({ op: 'replace', path: 'externalId', value: 'x' }))).toBe(false);
  });
});
