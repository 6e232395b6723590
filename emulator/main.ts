// `npm run emulator -- [--port N] [--host H] [--seed file.json] [--tenant-id GUID] [--json]`
import { parseArgs } from 'node:util';
import { SeedError, startEmulator } from './index.js';

const HELP = `Usage: npm run emulator -- [options]

Runs the offline Entra emulator: Microsoft Graph (users, groups, applications, service principals,
synchronization jobs, provisioning logs) and Entra's provisioning engine, on a local port.
Graph is served at <url>/v1.0/…; any non-empty bearer token is accepted.

Options:
  --port <n>         port to listen on (default 8080; 0 = any free port)
  --host <h>         interface to bind (default 127.0.0.1)
  --seed <file>      sample-directory JSON to load (users, groups, memberships, managers)
                     default: provisioning/sample-directory.json when it exists
  --tenant-id <id>   tenant id to report (default: random GUID)
  --json             print the startup line as JSON ({"url","tenantId"})
  --help             show this help
`;

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        seed: { type: 'string' },
        'tenant-id': { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }).values;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const port = args.port === undefined ? 8080 : Number(args.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`--port must be an integer between 0 and 65535 (got '${args.port}').\n`);
    return 2;
  }
  let seed = args.seed;
  if (seed === undefined) {
    const { existsSync } = await import('node:fs');
    const fallback = new URL('../provisioning/sample-directory.json', import.meta.url);
    if (existsSync(fallback)) seed = fallback.pathname;
  }
  try {
    const emulator = await startEmulator({ port, host: args.host ?? '127.0.0.1', seed, tenantId: args['tenant-id'] });
    const users = emulator.tenant.directory.users.size;
    const groups = emulator.tenant.directory.groups.size;
    if (args.json) process.stdout.write(`${JSON.stringify({ url: emulator.url, graphUrl: `${emulator.url}/v1.0`, tenantId: emulator.tenantId, users, groups })}\n`);
    else process.stdout.write(`Entra emulator listening on ${emulator.url} (Graph: ${emulator.url}/v1.0, tenant ${emulator.tenantId}, ${users} users, ${groups} groups${seed ? ` from ${seed}` : ''})\n`);
    const stop = (): void => {
      void emulator.close().then(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    return -1;
  } catch (error) {
    if (error instanceof SeedError) process.stderr.write(`${error.message}\n`);
    else if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') process.stderr.write(`Port ${port} is already in use; pass --port <another port> (or 0 for any free port).\n`);
    else process.stderr.write(`The emulator could not start: ${(error as Error).message}\n`);
    return 1;
  }
}

const code = await main();
if (code >= 0) process.exit(code);
