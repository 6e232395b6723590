import { describe, expect, it } from 'vitest';
import {
  environments,
  loadSampleDirectory,
  previewDirectory,
  provisioningModel,
  resolveModel,
  type ObjectPreview,
  type ProvisioningModel,
} from '../../provisioning/index.js';

const directory = loadSampleDirectory();
const model = resolveModel(provisioningModel, environments.local.parameters);
const preview = previewDirectory(model, directory);
const user = (upn: string): ObjectPreview => preview.users.find((u) => u.label === upn)!;
const group = (name: string): ObjectPreview => preview.groups.find((g) => g.label === name)!;
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

describe('preview of the shipped mappings on the sample directory', () => {
  it('builds the SCIM user Entra would POST, with enterprise extension, manager reference and roles', () => {
    const adele = user('adele.vance@contoso.com');
    expect(adele.inScope).toBe(true);
    expect(adele.problems).toEqual([]);
    expect(adele.payload).toMatchObject({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
      externalId: `local-sso:${adele.id}`,
      userName: 'adele.vance@contoso.com',
      active: true,
      emails: [{ primary: true, type: 'work', value: 'adele.vance@contoso.com' }],
      name: { givenName: 'Adele', familyName: 'Vance', formatted: 'Adele Vance' },
      [ENTERPRISE]: { employeeNumber: 'E0003', department: 'Engineering', costCenter: 'CC-2100', manager: { value: '<id in app of alex.wilber@contoso.com>' } },
      'urn:ietf:params:scim:schemas:extension:SignPath:2.0:User': { signingTeam: 'release' },
    });
    // Roles through two groups, as AppRoleAssignmentsComplex sends them (mapping-expressions.md §5).
    expect((adele.payload!.roles as { value: string; primary: boolean }[]).map((r) => [r.value, r.primary])).toEqual([
      ['ProjectAdministrator', false],
      ['RegularUser', false],
    ]);
  });

  it('sends active=false for a disabled but assigned account (Switch on IsSoftDeleted)', () => {
    expect(user('irvin.sayers@contoso.com').payload?.active).toBe(false);
    expect(user('christie.cline@contoso.com').payload?.active).toBe(false);
  });

  it('falls back to the UPN for users without mail and leaves absent attributes out', () => {
    const lee = user('nestor.wilke@contoso.com');
    expect(lee.payload?.emails).toEqual([{ primary: true, type: 'work', value: 'nestor.wilke@contoso.com' }]);
    const emily = user('emily.braun@contoso.com');
    expect(emily.payload).not.toHaveProperty('displayName');
    expect(emily.payload).not.toHaveProperty('preferredLanguage');
  });

  it('applies the default value when the extension attribute is absent', () => {
    expect(user('megan.bowen@contoso.com').payload?.['urn:ietf:params:scim:schemas:extension:SignPath:2.0:User']).toEqual({ signingTeam: 'unassigned' });
  });

  it('leaves out users that are not assigned, including members of a nested group only', () => {
    expect(user('debra.berger@contoso.com')).toMatchObject({ inScope: false, payload: null });
    expect(user('lee.gu@contoso.com')).toMatchObject({ inScope: false, payload: null });
    expect(group('Build Engineering')).toMatchObject({ inScope: false, payload: null });
  });

  it('sends only provisioned members of a group', () => {
    const developers = group('SignPath Developers');
    const members = (developers.payload!.members as { value: string }[]).map((m) => m.value);
    expect(members).toContain('<id in app of diego.siciliani@contoso.com>');
    expect(members.some((m) => m.includes('Build Engineering'))).toBe(false);
    expect(developers.payload).toMatchObject({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'SignPath Developers', externalId: developers.id });
  });

  it('reports required targets left empty, empty matching attributes and escrow', () => {
    const risky: ProvisioningModel = {
      ...model,
      users: {
        ...model.users,
        mappings: [
          { target: 'userName', source: { type: 'attribute', attribute: 'mail' }, matchingPrecedence: 1 },
          { target: 'roles', source: { type: 'expression', expression: 'SingleAppRoleAssignment([appRoleAssignments])' } },
        ],
      },
    };
    const result = previewDirectory(risky, directory);
    const lee = result.users.find((u) => u.label === 'nestor.wilke@contoso.com')!;
    expect(lee.problems.map((p) => p.kind)).toEqual(['required-empty', 'matching-empty']);
    const adele = result.users.find((u) => u.label === 'adele.vance@contoso.com')!;
    expect(adele.payload).toBeNull();
    expect(adele.problems).toEqual([expect.objectContaining({ kind: 'escrow', target: 'roles' })]);
  });
});
