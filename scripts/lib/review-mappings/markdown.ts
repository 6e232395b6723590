// The PR comment: mapping changes table, lint findings, and per-object SCIM payload diffs.
import type { MappingChange, ObjectChange, TargetAttributeChange } from './compare.js';
import type { Finding } from './lint.js';

export interface Review {
  base: { label: string; description: string; errors?: string[] };
  head: { label: string; description: string };
  environment: string;
  sample: { users: number; groups: number } | null;
  mappingChanges: MappingChange[];
  /** Target (app) schema attributes added, removed or retyped; optional for callers that do not compare schemas. */
  targetAttributeChanges?: TargetAttributeChange[];
  objects: ObjectChange[];
  findings: Finding[];
}

/** Inline code that survives a Markdown table: pipes escaped, backticks fenced with a longer run. */
export function code(text: string | null): string {
  if (text === null) return '—';
  const flat = text.replace(/\r?\n\s*/g, ' ').replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

const cell = (text: string) => text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `maxLength`: budget for the whole comment (GitHub's limit is 65,536 characters). */
export function renderMarkdown(review: Review, maxLength = 60_000): string {
  const lines: string[] = [];
  const errors = review.findings.filter((f) => f.severity === 'error').length;
  const warnings = review.findings.length - errors;
  const changed = review.objects.filter((o) => o.status !== 'unchanged');
  const changedUsers = changed.filter((o) => o.objectType === 'User').length;
  const changedGroups = changed.length - changedUsers;

  lines.push('## Attribute mapping review', '');
  lines.push(
    `Base: ${code(review.base.label)} (${review.base.description}) · Head: ${code(review.head.label)} (${review.head.description}) · ` +
      `Environment: ${code(review.environment)}` +
      (review.sample ? ` · Sample directory: ${plural(review.sample.users, 'user')}, ${plural(review.sample.groups, 'group')}` : ''),
    '',
  );
  lines.push(
    `${errors > 0 ? '❌' : warnings > 0 ? '⚠️' : '✅'} ${plural(review.mappingChanges.length, 'mapping change')} · ` +
      `${plural(changedUsers, 'user')} and ${plural(changedGroups, 'group')} with a different SCIM payload · ` +
      `${plural(errors, 'error')}, ${plural(warnings, 'warning')}`,
    '',
  );

  for (const error of review.base.errors ?? []) {
    lines.push(`> ⚠️ The base could not be fully loaded, so its side of the comparison may be empty: ${cell(error)}`, '');
  }

  lines.push('### Mapping changes', '');
  if (review.mappingChanges.length === 0) {
    lines.push('No attribute mapping changed.', '');
  } else {
    lines.push('| Object | Target attribute | Change | Before | After |', '| --- | --- | --- | --- | --- |');
    for (const c of review.mappingChanges) {
      const what = c.change === 'changed' ? `changed (${c.fields.join(', ')})` : c.change;
      const withSettings = (source: string | null, settings: string) => `${code(source)}${source !== null && settings ? ` (${cell(settings)})` : ''}`;
      lines.push(`| ${c.object} | ${code(c.target)} | ${what} | ${withSettings(c.before, c.beforeSettings)} | ${withSettings(c.after, c.afterSettings)} |`);
    }
    lines.push('');
  }

  const schemaChanges = review.targetAttributeChanges ?? [];
  if (schemaChanges.length > 0) {
    lines.push('### Target schema changes', '', '| Object | Attribute | Change | Before | After |', '| --- | --- | --- | --- | --- |');
    for (const c of schemaChanges) {
      lines.push(`| ${code(c.objectName)} | ${code(c.attribute)} | ${c.change} | ${c.before === null ? '—' : cell(c.before)} | ${c.after === null ? '—' : cell(c.after)} |`);
    }
    lines.push('');
  }

  lines.push('### Lint', '');
  if (review.findings.length === 0) {
    lines.push('No findings.', '');
  } else {
    lines.push('| Severity | Where | Finding |', '| --- | --- | --- |');
    const ordered = [...review.findings].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
    for (const f of ordered) {
      const where = [f.object, f.target ? code(f.target) : ''].filter(Boolean).join(' ') || '—';
      lines.push(`| ${f.severity === 'error' ? '❌ error' : '⚠️ warning'} | ${where} | ${cell(f.message)} (${code(f.code)}) |`);
    }
    lines.push('');
  }

  lines.push('### SCIM payloads of the sample directory', '');
  const unchanged = review.objects.filter((o) => o.status === 'unchanged');
  const unchangedUsers = unchanged.filter((o) => o.objectType === 'User').length;
  const footer = unchanged.length > 0 ? `Unchanged: ${plural(unchangedUsers, 'user')}, ${plural(unchanged.length - unchangedUsers, 'group')}.` : '';
  if (changed.length === 0) {
    lines.push('No sample user or group would be sent differently.', '');
  } else {
    // GitHub rejects comments over 65,536 characters: stop adding diffs before the budget is spent.
    const blocks = changed.map((o) => [`<details><summary>${o.objectType} <code>${escapeHtml(o.label)}</code>: ${o.status}</summary>`, '', '```diff', o.diff, '```', '', '</details>', '']);
    const sizes = blocks.map((block) => block.join('\n').length + 1);
    const fixed = lines.join('\n').length + footer.length + 100;
    const fitsAll = fixed + sizes.reduce((a, b) => a + b, 0) <= maxLength;
    // When some diffs must go, keep room for the note that lists them (up to 20 names).
    let length = fitsAll ? fixed : fixed + 1_600;
    let shown = 0;
    for (const [index, block] of blocks.entries()) {
      if (length + sizes[index]! > maxLength) break;
      lines.push(...block);
      length += sizes[index]!;
      shown++;
    }
    if (shown < changed.length) {
      const rest = changed.slice(shown).map((o) => o.label);
      const names = rest.length <= 20 ? rest.join(', ') : `${rest.slice(0, 20).join(', ')} …`;
      lines.push(`${plural(rest.length, 'more changed object')} not shown to keep this comment within GitHub's size limit (${escapeHtml(names)}); run with --json for all diffs.`, '');
    }
  }
  if (footer) lines.push(footer, '');
  return `${lines.join('\n').trimEnd()}\n`;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
