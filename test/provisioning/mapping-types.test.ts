import { describe, expect, it } from 'vitest';
import {
  direct,
  environments,
  groupMappings,
  placeholdersIn,
  sourceText,
  substituteParameters,
  targetGroupAttributes,
  targetUserAttributes,
  sourceUserAttributes,
  userMappings,
  type GroupMapping,
  type UserMapping,
} from '../../provisioning/index.js';

// Compile-time checks: `tsc --noEmit` (part of npm test) fails if any of these stops being an error.
// @ts-expect-error a misspelt SCIM target is not a UserTargetAttribute
const misspeltTarget: UserMapping = { target: 'emails[type eq "wrk"].value', source: direct('mail') };
// @ts-expect-error a wrong-case enterprise attribute is rejected too
const wrongCase: UserMapping = { target: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costcenter', source: direct('mail') };
// @ts-expect-error the anchor `id` is assigned by the app and cannot be mapped
const anchor: UserMapping = { target: 'id', source: direct('objectId') };
// @ts-expect-error source attributes are checked as well
const unknownSource: UserMapping = { target: 'title', source: direct('jobtitle') };
// @ts-expect-error user-only targets are not group targets
const groupTarget: GroupMapping = { target: 'userName', source: direct('displayName') };

describe('mapping model', () => {
  it('the compile-time probes above name targets and sources that are not declared', () => {
    const userTargets = new Set<string>(Object.keys(targetUserAttributes));
    const groupTargets = new Set<string>(Object.keys(targetGroupAttributes));
    expect(userTargets.has(misspeltTarget.target)).toBe(false);
    expect(userTargets.has(wrongCase.target)).toBe(false);
    expect(userTargets.has(anchor.target) && targetUserAttributes.id.anchor).toBe(true);
    expect(Object.keys(sourceUserAttributes)).not.toContain(sourceText(unknownSource.source)!.slice(1, -1));
    expect(groupTargets.has(groupTarget.target)).toBe(false);
  });

  it('maps every shipped target at most once and only to declared targets', () => {
    for (const [mappings, declared] of [
      [userMappings, targetUserAttributes],
      [groupMappings, targetGroupAttributes],
    ] as const) {
      const targets = mappings.map((m) => m.target);
      expect(new Set(targets).size).toBe(targets.length);
      for (const target of targets) expect(Object.keys(declared)).toContain(target);
    }
  });

  it('has unique matching precedences starting at 1 (graph-synchronization.md §4.2: evaluated in ascending order)', () => {
    for (const mappings of [userMappings, groupMappings]) {
      const precedences = mappings.flatMap((m) => (m.matchingPrecedence ? [m.matchingPrecedence] : [])).sort();
      expect(precedences).toEqual(precedences.map((_, i) => i + 1));
    }
  });

  it('ships the SCIM default for active and the SignPath externalId with an environment parameter', () => {
    const active = userMappings.find((m) => m.target === 'active');
    expect(active && sourceText(active.source)).toBe('Switch([IsSoftDeleted], , "False", "True", "True", "False")');
    const externalId = userMappings.find((m) => m.target === 'externalId')!;
    expect(placeholdersIn(sourceText(externalId.source)!)).toEqual(['ssoId']);
    expect(substituteParameters(sourceText(externalId.source)!, environments.prod.parameters)).toBe('Append("contoso:", [objectId])');
  });

  it('uses only known placeholders in every environment', () => {
    for (const env of Object.values(environments)) {
      for (const mapping of [...userMappings, ...groupMappings]) {
        const text = sourceText(mapping.source);
        if (text !== null) expect(substituteParameters(text, env.parameters)).not.toMatch(/\{\{/);
      }
    }
    expect(() => substituteParameters('Append("{{ssoID}}:", [objectId])', environments.local.parameters)).toThrow(
      /unknown parameter \{\{ssoID\}\}.*known: ssoId, extensionAppId/,
    );
  });
});
