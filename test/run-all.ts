// `npm test`: every check the project has, one after another, each writing a JSON report
// to reports/, then one closing line `N passed, N failed` for CI.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { formatTally, tallyReports } from './support/report-summary.js';

const reports = 'reports';
rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });

function run(title: string, cmd: string, args: string[]): boolean {
  console.log(`\n▶ ${title}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: process.env });
  return r.status === 0;
}

const checks: { name: string; passed: boolean }[] = [];
checks.push({ name: 'typecheck (tsc --noEmit)', passed: run('typecheck', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']) });
run('vitest', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${reports}/vitest.json`]);
if (existsSync('test/newman/run.ts')) {
  run('newman (Microsoft SCIM Postman collection)', 'npx', ['tsx', 'test/newman/run.ts', `--report=${reports}/newman.json`]);
  if (!existsSync(`${reports}/newman.json`)) checks.push({ name: 'newman wrote its report', passed: false });
} else {
  // Not built yet: say so instead of counting anything for it.
  console.log('\n▶ newman: test/newman/run.ts does not exist yet (issue 2); nothing counted');
}
writeFileSync(`${reports}/checks.json`, JSON.stringify(checks, null, 2));

const tally = tallyReports(reports);
console.log(`\n${formatTally(tally)}`);
process.exit(tally.failed === 0 && tally.passed > 0 ? 0 : 1);
