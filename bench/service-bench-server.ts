// Child process for bench/service-entra-mix.ts: serves either a bare Fastify "hello" route (the ceiling) or
// the SCIM service on a prepared SQLite file, so the load generator never shares an event loop with a server.
// Prints one JSON line {"url": "..."} when listening; stops on SIGTERM. The token comes from BENCH_SCIM_TOKEN.
import Fastify from 'fastify';
import { startService } from '../service/src/index.js';

async function main(): Promise<void> {
  const mode = process.argv.find((a) => a.startsWith('--mode='))?.slice('--mode='.length);
  if (mode === 'hello') {
    const app = Fastify({ logger: false });
    app.get('/hello', async () => ({ hello: 'world' }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
    process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
    return;
  }
  if (mode === 'scim') {
    const databaseUrl = process.argv.find((a) => a.startsWith('--db='))?.slice('--db='.length);
    const tenant = process.argv.find((a) => a.startsWith('--tenant='))?.slice('--tenant='.length);
    const token = process.env.BENCH_SCIM_TOKEN;
    if (!databaseUrl || !tenant || !token) throw new Error('--db, --tenant and BENCH_SCIM_TOKEN are required');
    const service = await startService({
      port: 0,
      host: '127.0.0.1',
      databaseUrl,
      tenant,
      token,
      logLevel: 'silent',
      rateLimitPerMinute: 0,
    });
    process.stdout.write(`${JSON.stringify({ url: service.url })}\n`);
    process.on('SIGTERM', () => void service.close().then(() => process.exit(0)));
    return;
  }
  throw new Error('usage: service-bench-server.ts --mode=hello | --mode=scim --db=<url> --tenant=<name>');
}

main().catch((error: unknown) => {
  process.stderr.write(`bench server: ${(error as Error).message}\n`);
  process.exit(1);
});
