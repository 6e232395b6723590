// Extension point owned by the operations helper (admin API, policies, metrics). Called by buildApp after
// the core SCIM routes are set up. Tenant policies are applied by the SCIM handlers (service/src/policies).
import type { FastifyInstance } from 'fastify';
import { createAdminAuthorizer, createBearerGuard, registerAdminRoutes } from './admin/index.js';
import { ConfigError } from './config.js';
import type { ServiceContext } from './context.js';
import type { WebhookDeliveryStore } from './events/delivery-store.js';
import { eventsPlugin } from './events/plugin.js';
import { registerDebugQueryLog, registerMetrics, registerRequestIdEcho } from './observability/index.js';

/** A storage engine that also keeps the change-event outbox (PostgreSQL) exposes its delivery store. */
interface WithDeliveryStore {
  webhookDeliveryStore(): WebhookDeliveryStore;
}

function deliveryStoreOf(storage: unknown): WebhookDeliveryStore | undefined {
  const candidate = storage as Partial<WithDeliveryStore>;
  return typeof candidate.webhookDeliveryStore === 'function' ? candidate.webhookDeliveryStore() : undefined;
}

export async function registerExtensions(app: FastifyInstance, ctx: ServiceContext): Promise<void> {
  registerRequestIdEcho(app);
  registerDebugQueryLog(app);
  // /metrics is open unless SCIM_METRICS_TOKEN is set.
  const metricsToken = ctx.config.metricsToken;
  registerMetrics(app, metricsToken ? { authorize: createBearerGuard(metricsToken, 'scim-metrics', 'send the metrics token as "Authorization: Bearer <SCIM_METRICS_TOKEN>"') } : {});

  let authorize;
  try {
    authorize = createAdminAuthorizer(ctx.config.adminToken);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  // The core caches tenant data per replica (SCIM_AUTH_CACHE_MS); an admin change applies at once here.
  await registerAdminRoutes(app, {
    storage: ctx.storage,
    authorize,
    onTenantChanged: (tenant) => ctx.invalidateTenant(tenant),
  });

  const deliveryStore = deliveryStoreOf(ctx.storage);
  if (deliveryStore) {
    await eventsPlugin(app, {
      store: deliveryStore,
      authorize,
      tenantExists: async (tenant) => (await ctx.storage.getTenant(tenant)) !== null,
    });
  }
}
