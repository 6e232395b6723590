// JUnit XML for CI test reports (GitHub Actions, Azure Pipelines): one <testcase> per check.
import { writeFile } from 'node:fs/promises';
import { redact } from './cli/redact.js';

export interface JUnitCase {
  name: string;
  classname: string;
  status: 'pass' | 'fail' | 'skip';
  message?: string;
  details?: string;
  durationMs?: number;
}

const xml = (s: string): string =>
  redact(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    // characters XML 1.0 forbids
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

export function junitXml(suite: string, cases: JUnitCase[], timestamp = new Date()): string {
  const failures = cases.filter((c) => c.status === 'fail').length;
  const skipped = cases.filter((c) => c.status === 'skip').length;
  const time = (ms = 0): string => (ms / 1000).toFixed(3);
  const total = cases.reduce((n, c) => n + (c.durationMs ?? 0), 0);
  const body = cases.map((c) => {
    const open = `    <testcase name="${xml(c.name)}" classname="${xml(c.classname)}" time="${time(c.durationMs)}"`;
    if (c.status === 'pass') return `${open}/>`;
    if (c.status === 'skip') return `${open}>\n      <skipped message="${xml(c.message ?? '')}"/>\n    </testcase>`;
    return `${open}>\n      <failure message="${xml(c.message ?? 'failed')}">${xml(c.details ?? c.message ?? '')}</failure>\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xml(suite)}" tests="${cases.length}" failures="${failures}" skipped="${skipped}" time="${time(total)}">`,
    `  <testsuite name="${xml(suite)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${time(total)}" timestamp="${timestamp.toISOString()}">`,
    ...body,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

export async function writeJUnit(path: string, suite: string, cases: JUnitCase[]): Promise<void> {
  await writeFile(path, junitXml(suite, cases), 'utf8');
}
