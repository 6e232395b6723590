// Public entry of the SCIM service: start it programmatically (tests, `npm run local`) or build the app.
import { buildApp, type BuildAppOptions } from './app.js';
import type { ServiceConfig } from './config.js';

export { buildApp, toScimError, type BuildAppOptions, type BuiltApp } from './app.js';
export { loadConfigFromEnv, defaultConfig, ConfigError, type ServiceConfig, type LogLevel } from './config.js';
export type { ServiceContext, WriteHooks, WriteEvent } from './context.js';
export { generateToken, hashToken } from './scim/auth.js';
export { ScimError } from './scim/errors.js';

export interface RunningService {
  /** `http://host:port` — the tenant URL Entra uses is `${url}/scim/${tenant}`. */
  url: string;
  close(): Promise<void>;
}

export async function startService(config: Partial<ServiceConfig> = {}, options: BuildAppOptions = {}): Promise<RunningService> {
  const { app } = await buildApp(config, options);
  const host = config.host ?? '127.0.0.1';
  try {
    await app.listen({ port: config.port ?? 0, host });
  } catch (error) {
    await app.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    close: () => (closing ??= app.close()),
  };
}
