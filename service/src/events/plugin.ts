// The `events` Fastify plugin: admin routes for webhooks and the event feed, and the lifecycle of this
// replica's webhook dispatcher (started when the app is ready, drained on close).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { dispatcherSettingsFromEnv } from './config.js';
import type { WebhookDeliveryStore } from './delivery-store.js';
import { createDispatcher, type Dispatcher } from './dispatcher.js';
import { registerEventRoutes } from './routes.js';

export interface EventsPluginOptions {
  store: WebhookDeliveryStore;
  authorize(request: FastifyRequest, reply: FastifyReply): Promise<boolean> | boolean;
  tenantExists(tenant: string): Promise<boolean>;
  prefix?: string;
  env?: NodeJS.ProcessEnv;
}

export async function eventsPlugin(app: FastifyInstance, options: EventsPluginOptions): Promise<void> {
  const routeOptions = { store: options.store, authorize: options.authorize, tenantExists: options.tenantExists, ...(options.prefix ? { prefix: options.prefix } : {}) };
  await registerEventRoutes(app, routeOptions);
  const settings = dispatcherSettingsFromEnv(options.env);
  if (!settings.enabled) return;
  const dispatcher: Dispatcher = createDispatcher({
    store: options.store,
    pollIntervalMs: settings.pollIntervalMs,
    requestTimeoutMs: settings.requestTimeoutMs,
    batchSize: settings.batchSize,
    concurrency: settings.concurrency,
    backoff: settings.backoff,
    logger: {
      warn: (obj, msg) => app.log.warn(obj, msg),
      debug: (obj, msg) => app.log.debug(obj, msg),
    },
  });
  app.addHook('onReady', async () => dispatcher.start());
  // Runs after the server stopped accepting requests; waits for batches in flight to be recorded.
  app.addHook('onClose', async () => dispatcher.stop());
}
