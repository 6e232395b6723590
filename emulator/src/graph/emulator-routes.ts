// Emulator-only endpoints (not Graph, no /v1.0 prefix): run a cycle synchronously and read the
// SCIM requests the engine sent, so scripts and tests need not poll a 40-minute schedule.
import type { FastifyInstance } from 'fastify';
import type { Synchronization } from '../sync/synchronization.js';
import { notFound } from './errors.js';

export function registerEmulatorRoutes(app: FastifyInstance, sync: Synchronization): void {
  const job = (id: string) => {
    const j = sync.jobs.get(id);
    if (!j) throw notFound('synchronizationJob', id);
    return j;
  };
  app.post('/emulator/jobs/:jobId/cycle', async (req) => {
    const j = job((req.params as { jobId: string }).jobId);
    const report = await sync.runCycle(j);
    return { report, status: j.toGraph().status };
  });
  app.get('/emulator/jobs/:jobId/requests', async (req) => {
    const j = job((req.params as { jobId: string }).jobId);
    return { value: j.engine.requests };
  });
  app.delete('/emulator/jobs/:jobId/requests', async (req, reply) => {
    job((req.params as { jobId: string }).jobId).engine.requests = [];
    return reply.code(204).send();
  });
}
