// Process entry (`npm run service`): configuration from environment variables only, graceful SIGTERM.
import { buildApp } from './app.js';
import { ConfigError, loadConfigFromEnv } from './config.js';
import { StorageConfigError } from './storage/index.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfigFromEnv(process.env);
  } catch (error) {
    process.stderr.write(`configuration error: ${(error as Error).message}\n`);
    process.exit(2);
  }
  let built;
  try {
    built = await buildApp(config);
  } catch (error) {
    const known = error instanceof ConfigError || error instanceof StorageConfigError || (error as Error).name === 'StorageUnavailableError';
    process.stderr.write(`cannot start the SCIM service: ${known ? (error as Error).message : 'unexpected error (set LOG_LEVEL=debug for details)'}\n`);
    if (!known && config.logLevel === 'debug') process.stderr.write(`${(error as Error).stack}\n`);
    process.exit(known ? 2 : 1);
  }
  const { app } = built;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down: finishing requests in flight');
    const force = setTimeout(() => {
      app.log.error('shutdown took longer than 25 s; exiting');
      process.exit(1);
    }, 25_000);
    force.unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  await app.listen({ port: config.port, host: config.host });
}

void main();
