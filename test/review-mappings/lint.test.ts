// Lint rules and Markdown rendering of review-mappings, in process (the end-to-end test covers the CLI).
import { describe, expect, it } from 'vitest';
import {
  appRoles,
  environments,
  exclusiveGlobalRoles,
  loadSampleDirectory,
  provisioningModel,
  resolveModel,
  type AttributeMapping,
  type ProvisioningModel,
} from '../../provisioning/index.js';
import { mappingChanges, objectChanges, previewSnapshot, targetAttributeChanges } from '../../scripts/lib/review-mappings/compare.js';
import { lint, type Finding } from '../../scripts/lib/review-mappings/lint.js';
import { code, renderMarkdown } from '../../scripts/lib/review-mappings/markdown.js';
import type { Snapshot } from '../../scripts/lib/review-mappings/snapshot.js';

const shipped = resolveModel(provisioningModel, environments.local.parameters);

function snapshot(model: ProvisioningModel = shipped): Snapshot {
  return {
    label: 'test',
    commit: null,
    present: true,
    model,
    sample: loadSampleDirectory(),
    appRoles: [...appRoles],
    exclusiveGlobalRoles: [...exclusiveGlobalRoles],
    parameters: environments.local.parameters,
    errors: [],
  };
}

function withUserMappings(mappings: AttributeMapping[]): ProvisioningModel {
  return { ...shipped, users: { ...shipped.users, mappings } };
}

const findingsOf = (model: ProvisioningModel): Finding[] => {
  const s = snapshot(model);
  return lint(s, previewSnapshot(s));
};
const codes = (findings: Finding[]) => findings.map((f) => f.code);

describe('lint', () => {
  it('finds nothing wrong with the shipped mappings and sample directory', () => {
    expect(findingsOf(shipped)).toEqual([]);
  });

  it('flags a target missing from the target schema and a duplicate target', () => {
    const findings = findingsOf(
      withUserMappings([
        ...shipped.users.mappings,
        { target: 'nickName', source: { type: 'attribute', attribute: 'mailNickname' } },
        { target: 'title', source: { type: 'constant', value: 'Staff' } },
      ]),
    );
    expect(findings).toContainEqual(expect.objectContaining({ severity: 'error', code: 'target-not-in-schema', target: 'nickName' }));
    expect(findings).toContainEqual(expect.objectContaining({ severity: 'error', code: 'duplicate-target', target: 'title' }));
  });

  it('flags no matching attribute and a required target nobody maps', () => {
    const findings = findingsOf(withUserMappings(shipped.users.mappings.filter((m) => m.target !== 'userName' && m.target !== 'externalId')));
    expect(findings).toContainEqual(expect.objectContaining({ severity: 'error', code: 'no-matching-attribute', object: 'User' }));
    expect(findings).toContainEqual(expect.objectContaining({ severity: 'error', code: 'required-target-unmapped', target: 'userName' }));
  });

  it('warns about source attributes the source schema does not have (case-insensitive, like Entra)', () => {
    const findings = findingsOf(
      withUserMappings([
        ...shipped.users.mappings.filter((m) => m.target !== 'title'),
        { target: 'title', source: { type: 'expression', expression: 'Coalesce([JOBTITLE], [jobTitel])' } },
      ]),
    );
    const unknown = findings.filter((f) => f.code === 'source-attribute-unknown');
    expect(unknown).toEqual([expect.objectContaining({ severity: 'warning', target: 'title', message: expect.stringContaining('`[jobTitel]`') })]);
  });

  it('reports an unknown function once, not once per sample user', () => {
    const findings = findingsOf(
      withUserMappings([
        ...shipped.users.mappings.filter((m) => m.target !== 'title'),
        { target: 'title', source: { type: 'expression', expression: 'Tolower([jobTitle])' } },
      ]),
    );
    expect(codes(findings)).toEqual(['expression-does-not-parse']);
    expect(findings[0]!.message).toMatch(/Tolower/);
  });

  it('groups escrowed users into one finding naming them', () => {
    const findings = findingsOf(
      withUserMappings([
        ...shipped.users.mappings.filter((m) => m.target !== 'roles'),
        { target: 'roles', source: { type: 'expression', expression: 'SingleAppRoleAssignment([appRoleAssignments])' } },
      ]),
    );
    expect(findings).toEqual([
      expect.objectContaining({ code: 'escrow', target: 'roles', message: expect.stringMatching(/for 1 sample user: adele\.vance@contoso\.com$/) }),
    ]);
  });

  it('a revision that could not be loaded is an error finding', () => {
    const s = { ...snapshot(), model: null, sample: null, errors: ['provisioning/index.ts cannot be loaded: SyntaxError'] };
    expect(lint(s, null)).toEqual([{ severity: 'error', code: 'revision-load-failed', message: 'provisioning/index.ts cannot be loaded: SyntaxError' }]);
  });
});

describe('target schema changes', () => {
  it('lists target attributes added, removed and retyped', () => {
    const enterprise = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
    const objects = shipped.targetDirectory.objects.map((o) =>
      o.name !== enterprise
        ? o
        : {
            ...o,
            attributes: [
              ...o.attributes.filter((a) => a.name !== 'title').map((a) => (a.name === 'displayName' ? { ...a, required: true } : a)),
              { ...o.attributes[0]!, name: 'nickName', anchor: false },
            ],
          },
    );
    const head = snapshot({ ...shipped, targetDirectory: { ...shipped.targetDirectory, objects } });
    expect(targetAttributeChanges(snapshot(), head)).toEqual([
      { objectName: enterprise, attribute: 'displayName', change: 'changed', before: 'String', after: 'String, required' },
      { objectName: enterprise, attribute: 'nickName', change: 'added', before: null, after: 'String' },
      { objectName: enterprise, attribute: 'title', change: 'removed', before: 'String', after: null },
    ]);
  });
});

describe('previews per environment', () => {
  it('renames the sample directory extension attributes to the environment\'s extension app', () => {
    const prod = resolveModel(provisioningModel, environments.prod.parameters);
    const preview = previewSnapshot({ ...snapshot(prod), parameters: environments.prod.parameters })!;
    const adele = preview.users.find((u) => u.label === 'adele.vance@contoso.com')!;
    expect(adele.payload?.['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User']).toMatchObject({ costCenter: 'CC-2100' });
    expect(adele.payload?.externalId).toBe(`contoso:${adele.id}`);
  });
});

describe('markdown', () => {
  it('keeps the comment under the size budget and says how many diffs were left out', () => {
    const base = snapshot();
    const head = snapshot(withUserMappings(shipped.users.mappings.map((m) => (m.target === 'title' ? { ...m, source: { type: 'constant', value: 'Staff' } } : m))));
    const review = {
      base: { label: 'a', description: 'b' },
      head: { label: 'c', description: 'd' },
      environment: 'local',
      sample: null,
      mappingChanges: mappingChanges(base, head),
      objects: objectChanges(previewSnapshot(base), previewSnapshot(head)),
      findings: [],
    };
    const changed = review.objects.filter((o) => o.status !== 'unchanged').length;
    expect(changed).toBeGreaterThan(10);
    const full = renderMarkdown(review);
    expect(full).not.toContain('not shown');
    const small = renderMarkdown(review, 5_000);
    expect(small.length).toBeLessThanOrEqual(5_000);
    const shown = small.split('<details>').length - 1;
    expect(shown).toBeGreaterThan(0);
    expect(small).toContain(`${changed - shown} more changed object${changed - shown === 1 ? '' : 's'} not shown`);
  });

  it('keeps expressions intact inside table cells', () => {
    expect(code('Switch([a], , "x|y", "1")')).toBe('`Switch([a], , "x\\|y", "1")`');
    expect(code('Replace([x], "`", , , "", , )')).toBe('``Replace([x], "`", , , "", , )``');
    expect(code(null)).toBe('—');
  });

  it('renders the changes table, findings and payload diffs', () => {
    const base = snapshot();
    const head = snapshot(
      withUserMappings(shipped.users.mappings.map((m) => (m.target === 'title' ? { ...m, source: { type: 'expression', expression: 'ToUpper([jobTitle])' } } : m))),
    );
    const objects = objectChanges(previewSnapshot(base), previewSnapshot(head));
    const markdown = renderMarkdown({
      base: { label: 'abc1234', description: 'merge base with main' },
      head: { label: 'working tree', description: 'uncommitted changes included' },
      environment: 'local',
      sample: { users: 25, groups: 8 },
      mappingChanges: mappingChanges(base, head),
      objects,
      findings: lint(head, previewSnapshot(head)),
    });
    expect(markdown).toContain('| User | `title` | changed (source) | `[jobTitle]` | `ToUpper([jobTitle])` |');
    expect(markdown).toContain('-  "title": "Chief Executive Officer",\n+  "title": "CHIEF EXECUTIVE OFFICER",');
    expect(markdown).toContain('No findings.');
    expect(markdown).not.toContain('could not be fully loaded');
    const withBaseError = renderMarkdown({
      base: { label: 'abc1234', description: 'x', errors: ['provisioning/index.ts cannot be loaded: SyntaxError | oops'] },
      head: { label: 'working tree', description: 'y' },
      environment: 'local',
      sample: null,
      mappingChanges: [],
      objects: [],
      findings: [],
    });
    expect(withBaseError).toContain('> ⚠️ The base could not be fully loaded, so its side of the comparison may be empty: provisioning/index.ts cannot be loaded: SyntaxError \\| oops');
    // Users without a jobTitle and groups keep their payload.
    expect(objects.find((o) => o.label === 'svc-signing@contoso.onmicrosoft.com')?.status).toBe('unchanged');
    expect(objects.filter((o) => o.objectType === 'Group').every((o) => o.status === 'unchanged')).toBe(true);
  });
});
