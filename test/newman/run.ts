// Runs Microsoft's SCIM Postman collection with newman against the real service (SQLite in memory).
// Usage: npx tsx test/newman/run.ts [--report=reports/newman.json] [--json] [--cli] [--help]
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import newman, { type RunSummary } from 'newman';
import { startService } from '../../service/src/index.js';
import { AllowListError, classifyFailures, parseAllowList, unusedEntries } from './allow-list.js';

const here = dirname(fileURLToPath(import.meta.url));
const TENANT = 'newman';

const HELP = `Run Microsoft's SCIM Postman collection (test/newman/PostmanCollection.json) with newman
against the bundled SCIM service, started in this process on SQLite in memory.

Usage: npx tsx test/newman/run.ts [options]

Options:
  --report=<path>      Write newman's JSON report here, plus a top-level "allowListed" count
                       (default reports/newman.json)
  --collection=<path>  Another collection file (default test/newman/PostmanCollection.json)
  --allow-list=<path>  Allow-list file (default test/newman/allow-list.txt)
  --cli                Also print newman's own per-request output
  --json               Print the result as JSON instead of text
  --help               Show this help

Exit status: 0 when every failed assertion is on the allow-list, 1 otherwise, 2 on a usage or setup error.
The allow-list and the reasons for each entry: docs/conformance.md.`;

interface Options {
  report: string;
  collection: string;
  allowList: string;
  cli: boolean;
  json: boolean;
}

function parseArgs(argv: readonly string[]): Options | 'help' {
  const options: Options = {
    report: 'reports/newman.json',
    collection: join(here, 'PostmanCollection.json'),
    allowList: join(here, 'allow-list.txt'),
    cli: false,
    json: false,
  };
  for (const arg of argv) {
    if (arg === '--help' || arg === '-h') return 'help';
    else if (arg === '--json') options.json = true;
    else if (arg === '--cli') options.cli = true;
    else if (arg.startsWith('--report=')) options.report = arg.slice('--report='.length);
    else if (arg.startsWith('--collection=')) options.collection = arg.slice('--collection='.length);
    else if (arg.startsWith('--allow-list=')) options.allowList = arg.slice('--allow-list='.length);
    else throw new UsageError(`unknown argument "${arg}" (see --help)`);
  }
  if (options.report === '') throw new UsageError('--report needs a path, e.g. --report=reports/newman.json');
  return options;
}

class UsageError extends Error {}

function runNewman(collection: unknown, url: URL, token: string, options: Options): Promise<RunSummary> {
  return new Promise((resolve, reject) => {
    const emitter = newman.run(
      {
        collection,
        // The variables the collection reads (SOURCE.md): {{Protocol}}://{{Server}}{{Port}}/{{Api}}/Users.
        envVar: [
          { key: 'Protocol', value: url.protocol.replace(':', '') },
          { key: 'Server', value: url.hostname },
          { key: 'Port', value: `:${url.port}` },
          { key: 'Api', value: `scim/${TENANT}` },
          { key: 'token', value: token },
        ],
        reporters: options.cli ? ['cli', 'json'] : ['json'],
        reporter: { json: { export: options.report } },
        timeoutRequest: 10_000,
      },
      (error, summary) => (error ? reject(error) : resolve(summary)),
    );
    // The collection's first request fetches a demo token from the reference server's GET /Token and stores
    // `token` from the body. The service has no such endpoint (tokens come from the admin CLI/API), so that
    // request fails (allow-listed) and sets `token` to undefined; put the real token back before the next one.
    emitter.on('item', (_error: unknown, args: { item?: { name?: string } }) => {
      if (args.item?.name === 'Get Token') emitter.summary.environment.set('token', token, 'string');
    });
  });
}

async function main(): Promise<number> {
  let options: Options | 'help';
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`newman runner: ${(error as Error).message}`);
    return 2;
  }
  if (options === 'help') {
    console.log(HELP);
    return 0;
  }
  const opts = options;
  let allowList;
  let collection: unknown;
  try {
    allowList = parseAllowList(readFileSync(opts.allowList, 'utf8'));
    collection = JSON.parse(readFileSync(opts.collection, 'utf8'));
  } catch (error) {
    const detail = error instanceof AllowListError ? error.message : `cannot read ${(error as NodeJS.ErrnoException).path ?? 'input'}: ${(error as Error).message}`;
    console.error(`newman runner: ${detail}`);
    return 2;
  }
  mkdirSync(dirname(opts.report), { recursive: true });

  const token = randomBytes(32).toString('base64url');
  const service = await startService({
    port: 0,
    host: '127.0.0.1',
    databaseUrl: 'sqlite::memory:',
    tenant: TENANT,
    token,
    logLevel: 'silent',
    rateLimitPerMinute: 0,
  });
  let summary: RunSummary;
  try {
    summary = await runNewman(collection, new URL(service.url), token, opts);
  } finally {
    await service.close();
  }

  const classified = classifyFailures(summary.run.failures, allowList);
  const allowListed = classified.filter((c) => c.allowListedBy).length;
  const blocking = classified.filter((c) => !c.allowListedBy);
  const stale = unusedEntries(allowList, classified);
  const { total, failed } = summary.run.stats.assertions;

  // The report: newman's own JSON, plus allowListed (read by test/support/report-summary.ts), without the token.
  const report = JSON.parse(readFileSync(opts.report, 'utf8').split(token).join('[redacted]')) as Record<string, unknown>;
  report.allowListed = allowListed;
  writeFileSync(opts.report, JSON.stringify(report, null, 2));

  const passed = total - failed;
  const failedCount = failed - allowListed;
  const scriptErrors = blocking.filter((c) => c.kind === 'error');
  if (opts.json) {
    console.log(
      JSON.stringify(
        {
          passed,
          failed: failedCount,
          allowListed,
          scriptErrors: scriptErrors.length,
          failures: blocking.map(({ request, assertion, message, kind }) => ({ request, assertion, message, kind })),
          staleAllowList: stale.map((e) => `${e.request} | ${e.assertion}`),
          report: opts.report,
        },
        null,
        2,
      ),
    );
  } else {
    for (const c of blocking) console.log(`✗ ${c.request} › ${c.assertion}: ${c.message}`);
    for (const e of stale) {
      console.log(`! allow-list line ${e.line} matched nothing (the service passes it now; remove the line): ${e.request} | ${e.assertion}`);
    }
    console.log(`${allowListed} failed assertion(s) allow-listed as reference-server-only (${relative(process.cwd(), opts.allowList)})`);
    if (scriptErrors.length > 0) console.log(`${scriptErrors.length} request or script error(s) outside any test (never allow-listed)`);
    console.log(`Report: ${opts.report}`);
    console.log(`${passed} passed, ${failedCount} failed`);
  }
  return blocking.length === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`newman runner: ${(error as Error).message}`);
    process.exitCode = 2;
  },
);
