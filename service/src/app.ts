// Builds the Fastify app: JSON/SCIM body parsing, probes, the SCIM routes, extensions, and one error
// handler that turns every failure into a SCIM error body (never a stack trace, never a 500 for a client mistake).
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { bootstrapToken, defaultConfig, tenantNamePattern, ConfigError, type ServiceConfig } from './config.js';
import { createContext, type ServiceContext } from './context.js';
import { registerExtensions } from './extensions.js';
import { ScimFilterError, ScimPathError } from './filter/index.js';
import { fastifyObservabilityOptions } from './observability/index.js';
import { hashToken, matchToken } from './scim/auth.js';
import { ScimError } from './scim/errors.js';
import { registerScimRoutes, scimContentType } from './scim/routes.js';
import {
  NotFoundError,
  StorageUnavailableError,
  UniquenessError,
  VersionMismatchError,
  type Storage,
} from './storage/contract.js';
import { openStorage } from './storage/index.js';

export interface BuildAppOptions {
  /** Use this storage instead of opening `config.databaseUrl` (closed with the app unless `keepStorageOpen`). */
  storage?: Storage;
  keepStorageOpen?: boolean;
}

export interface BuiltApp {
  app: FastifyInstance;
  ctx: ServiceContext;
}

const uniquenessDetail: Record<string, string> = {
  userName: 'a user with this userName already exists in this tenant (userName is compared case-insensitively); match the existing user instead of creating a new one',
  displayName: 'a group with this displayName already exists in this tenant; group displayName must be unique',
};

/** Maps any error to a ScimError (the status and body sent). */
export function toScimError(error: unknown): ScimError {
  if (error instanceof ScimError) return error;
  if (error instanceof UniquenessError) return new ScimError(409, uniquenessDetail[error.attribute] ?? `${error.attribute} must be unique`, 'uniqueness');
  if (error instanceof VersionMismatchError) return new ScimError(412, `${error.message}; GET the resource again and retry with its ETag`);
  if (error instanceof NotFoundError) return new ScimError(404, error.message);
  if (error instanceof ScimFilterError || error instanceof ScimPathError) return new ScimError(400, error.message, error.scimType);
  if (error instanceof StorageUnavailableError) {
    return new ScimError(503, 'the service cannot reach its database right now; retry later', undefined, { 'retry-after': String(error.retryAfterSeconds) });
  }
  const e = error as Partial<FastifyError> & { type?: string };
  if (e instanceof SyntaxError || e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
    return new ScimError(400, `the request body is not valid JSON: ${e.message ?? 'parse error'}`, 'invalidSyntax');
  }
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || e.statusCode === 413) {
    return new ScimError(413, 'the request body is larger than this service accepts; send fewer operations or members per request');
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new ScimError(e.statusCode, e.message ?? 'bad request', e.statusCode === 400 ? 'invalidSyntax' : undefined);
  }
  return new ScimError(500, 'internal error; the request was not applied');
}

async function bootstrapTenant(storage: Storage, config: ServiceConfig): Promise<void> {
  if (!config.tenant) return;
  if (!tenantNamePattern.test(config.tenant)) throw new ConfigError(`SCIM_TENANT "${config.tenant}" must be 1-63 letters, digits, - or _`);
  if (!(await storage.getTenant(config.tenant))) {
    try {
      await storage.createTenant(config.tenant);
    } catch (error) {
      if (!(error instanceof UniquenessError)) throw error; // another replica created it first
    }
  }
  const token = bootstrapToken(config);
  if (!token) return;
  const active = await storage.activeTokens(config.tenant);
  if (!matchToken(token, active)) await storage.createToken(config.tenant, hashToken(token), 'bootstrap (SCIM_TOKEN)');
}

export async function buildApp(partial: Partial<ServiceConfig> = {}, options: BuildAppOptions = {}): Promise<BuiltApp> {
  const config: ServiceConfig = { ...defaultConfig, ...partial };
  const storage = options.storage ?? (await openStorage(config.databaseUrl));
  const ctx = createContext(storage, config);
  try {
    await bootstrapTenant(storage, config);
  } catch (error) {
    if (!options.storage) await storage.close();
    throw error;
  }

  const app = Fastify({
    // Logger with redaction of tokens and personal data, request ids (observability/, owned by ops).
    ...fastifyObservabilityOptions(config.logLevel === 'silent' ? false : config.logLevel),
    bodyLimit: config.bodyLimitBytes,
    // `/Users/?filter=…` (Microsoft's Postman collection) is the same route as `/Users?filter=…`.
    routerOptions: { ignoreTrailingSlash: true },
    return503OnClosing: true,
  });

  // JSON bodies with either content type (Entra sends application/scim+json; charset=utf-8), and
  // anything else that is JSON: never answer 415 to a SCIM client.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      done(new ScimError(400, `the request body is not valid JSON (${(error as Error).message}); send a JSON object`, 'invalidSyntax'), undefined);
    }
  });

  app.setErrorHandler((error, request, reply) => {
    const scim = toScimError(error);
    if (scim.status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ status: scim.status, scimType: scim.scimType }, 'request rejected');
    for (const [k, v] of Object.entries(scim.headers)) reply.header(k, v);
    return reply.code(scim.status).type(scimContentType).send(scim.body());
  });
  app.setNotFoundHandler((request, reply) => {
    const e = new ScimError(404, `no endpoint ${request.method} ${request.url.split('?')[0]}; SCIM endpoints are /scim/{tenant}/Users and /scim/{tenant}/Groups`);
    return reply.code(404).type(scimContentType).send(e.body());
  });

  app.get('/healthz', async (_req, reply) => reply.type('application/json').send({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    try {
      await storage.ping();
      return reply.type('application/json').send({ status: 'ready' });
    } catch {
      return reply.code(503).header('retry-after', '5').type('application/json').send({ status: 'unavailable', detail: 'storage is not reachable' });
    }
  });

  await registerScimRoutes(app, ctx);
  await registerExtensions(app, ctx);

  if (!options.storage || !options.keepStorageOpen) {
    app.addHook('onClose', async () => {
      if (!options.keepStorageOpen) await storage.close();
    });
  }
  return { app, ctx };
}
