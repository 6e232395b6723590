// At LOG_LEVEL=debug, log each request's query string (Entra's filters, e.g. userName eq "…") so filter
// problems can be diagnosed. It holds personal data, so it is logged at debug only, never above.
import type { FastifyInstance } from 'fastify';

export function registerDebugQueryLog(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    const log = request.log as typeof request.log & { isLevelEnabled?(level: string): boolean };
    if (!log.isLevelEnabled?.('debug')) return;
    const q = request.url.indexOf('?');
    if (q === -1) return;
    log.debug({ query: request.url.slice(q + 1) }, 'request query');
  });
}
