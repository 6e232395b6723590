// Reads the JSON reports written by `npm test` and reduces them to one count.
// CI parses only the final plain line, so every runner's result must flow through here.
import { existsSync, readFileSync } from 'node:fs';

export interface Tally {
  passed: number;
  failed: number;
  skipped: number;
}

interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  numTotalTestSuites: number;
  numFailedTestSuites: number;
  success: boolean;
}

interface NewmanReport {
  run: {
    stats: { assertions: { total: number; failed: number } };
  };
  /** Added by test/newman/run.ts: failures matched by the checked-in allow-list. */
  allowListed?: number;
}

interface CheckReport {
  name: string;
  passed: boolean;
}

export function tallyReports(dir: string): Tally {
  const tally: Tally = { passed: 0, failed: 0, skipped: 0 };
  const vitestPath = `${dir}/vitest.json`;
  if (existsSync(vitestPath)) {
    const v = JSON.parse(readFileSync(vitestPath, 'utf8')) as VitestReport;
    tally.passed += v.numPassedTests;
    tally.failed += v.numFailedTests;
    tally.skipped += v.numPendingTests + v.numTodoTests;
    // A file that fails to import has no tests to count but is still a failure.
    if (!v.success && v.numFailedTests === 0) tally.failed += Math.max(1, v.numFailedTestSuites);
  } else {
    tally.failed += 1;
  }
  const newmanPath = `${dir}/newman.json`;
  if (existsSync(newmanPath)) {
    const n = JSON.parse(readFileSync(newmanPath, 'utf8')) as NewmanReport;
    const { total, failed } = n.run.stats.assertions;
    const allowListed = n.allowListed ?? 0;
    tally.passed += total - failed;
    tally.failed += failed - allowListed;
    tally.skipped += allowListed;
  }
  // A newman run that produced no report is recorded as a failed check by test/run-all.ts.
  const checksPath = `${dir}/checks.json`;
  if (existsSync(checksPath)) {
    const checks = JSON.parse(readFileSync(checksPath, 'utf8')) as CheckReport[];
    for (const c of checks) {
      if (c.passed) tally.passed += 1;
      else tally.failed += 1;
    }
  }
  return tally;
}

export function formatTally(t: Tally): string {
  return `${t.passed} passed, ${t.failed} failed` + (t.skipped ? `, ${t.skipped} skipped` : '');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const t = tallyReports(process.argv[2] ?? 'reports');
  console.log(formatTally(t));
  process.exit(t.failed === 0 && t.passed > 0 ? 0 : 1);
}
