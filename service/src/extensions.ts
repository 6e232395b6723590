// Extension point owned by the operations helper (admin API, policies, metrics). Called by buildApp after
// the core SCIM routes are set up.
import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from './context.js';

export async function registerExtensions(app: FastifyInstance, ctx: ServiceContext): Promise<void> {
  void app;
  void ctx;
}
