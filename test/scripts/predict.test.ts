// verify-provisioning's comparison, cross-checked against provisioning/'s independent SCIM payload preview:
// the payload Entra would POST for a sample user matches every prediction; drift is reported per attribute.
import { describe, expect, it } from 'vitest';
import { buildSynchronizationSchema, getEnvironment, loadSampleDirectory, previewDirectory, provisioningModel, resolveModel, userSourceObject } from '../../provisioning/index.js';
import type { SynchronizationSchema } from '../../scripts/lib/graph/types.js';
import { compareObject, matchingKey, objectMappingFor } from '../../scripts/lib/predict.js';

const schema = buildSynchronizationSchema('local') as unknown as SynchronizationSchema;
const mapping = objectMappingFor(schema, 'User')!;
const directory = loadSampleDirectory();
const preview = previewDirectory(resolveModel(provisioningModel, getEnvironment('local').parameters), directory);
const megan = directory.users.find((u) => u.userPrincipalName === 'megan.bowen@contoso.com')!;
const payload = preview.users.find((u) => u.id === megan.id)!.payload!;
const source = userSourceObject(directory, megan);

describe('compareObject', () => {
  it('finds every attribute of the previewed payload as predicted', () => {
    const comparisons = compareObject(mapping, source, payload);
    expect(comparisons.filter((c) => c.status === 'mismatch')).toEqual([]);
    expect(comparisons.filter((c) => c.status === 'match').length).toBeGreaterThan(15);
    expect(comparisons.find((c) => c.target.endsWith(':manager'))?.status).toBe('skipped');
  });

  it('reports drift per attribute with expected, actual and the expression', () => {
    const drifted = structuredClone(payload) as Record<string, unknown>;
    drifted.title = 'Tampered';
    delete drifted.displayName;
    const byTarget = Object.fromEntries(compareObject(mapping, source, drifted).map((c) => [c.target, c]));
    expect(byTarget.title).toMatchObject({ status: 'mismatch', expected: 'Chief Executive Officer', actual: 'Tampered', expression: '[jobTitle]' });
    expect(byTarget.displayName).toMatchObject({ status: 'mismatch', note: 'the service does not hold this attribute' });
    expect(byTarget.userName.status).toBe('match');
  });

  it('looks the object up by the mapping with the lowest matching priority', () => {
    expect(matchingKey(mapping, source)).toEqual({ attribute: 'externalId', value: `local-sso:${megan.id}` });
  });
});
