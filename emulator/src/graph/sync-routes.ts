// Synchronization endpoints under /servicePrincipals/{id}/synchronization and their
// /applications/{id}/synchronization twins, and GET /auditLogs/provisioning
// (graph-synchronization.md §3.2–3.11).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServicePrincipalEntry } from '../directory/store.js';
import { FILTER_OPERATORS } from '../engine/scoping-filter.js';
import type { SyncJob } from '../sync/job.js';
import type { Synchronization } from '../sync/synchronization.js';
import { badRequest, notFound } from './errors.js';
import { collection, GRAPH_PREFIX, jsonBody, noContent, single } from './http.js';

type Params = Record<string, string>;

export function registerSynchronizationRoutes(app: FastifyInstance, sync: Synchronization): void {
  const tenant = sync.tenant;
  const bases: [string, (id: string) => ServicePrincipalEntry][] = [
    [`${GRAPH_PREFIX}/servicePrincipals/:ownerId/synchronization`, (id) => tenant.servicePrincipal(id)],
    [`${GRAPH_PREFIX}/applications/:ownerId/synchronization`, (id) => tenant.servicePrincipalOfApplication(id)],
  ];

  for (const [base, owner] of bases) {
    const sp = (req: FastifyRequest): ServicePrincipalEntry => owner((req.params as Params).ownerId);
    const job = (req: FastifyRequest): SyncJob => sync.job(sp(req), (req.params as Params).jobId);
    const ctx = (req: FastifyRequest, what: string): string => `servicePrincipals('${sp(req).id}')/synchronization/${what}`;

    app.get(base, async (req) => {
      const owner = sp(req);
      return single(req, { id: owner.id, secrets: sync.maskedSecrets(owner) }, ctx(req, '$entity'));
    });

    // --- templates ----------------------------------------------------------------------------
    app.get(`${base}/templates`, async (req) => collection(req, sync.templates(sp(req)), ctx(req, 'templates')));
    app.get(`${base}/templates/:templateId`, async (req) => single(req, sync.template(sp(req), (req.params as Params).templateId), ctx(req, 'templates/$entity')));
    app.get(`${base}/templates/:templateId/schema`, async (req) =>
      single(req, { ...sync.templateSchema(sp(req), (req.params as Params).templateId) }, ctx(req, 'templates/schema/$entity')));

    // --- secrets ------------------------------------------------------------------------------
    app.put(`${base}/secrets`, async (req, reply) => {
      sync.putSecrets(sp(req), req.body);
      return noContent(reply);
    });
    app.get(`${base}/secrets`, async (req) => ({ '@odata.context': `${GRAPH_PREFIX}/$metadata#${ctx(req, 'secrets')}`, value: sync.maskedSecrets(sp(req)) }));

    // --- jobs ---------------------------------------------------------------------------------
    app.get(`${base}/jobs`, async (req) => collection(req, sync.jobsOf(sp(req)).map((j) => j.toGraph()), ctx(req, 'jobs')));
    app.post(`${base}/jobs`, async (req, reply) => reply.code(201).send(single(req, sync.createJob(sp(req), req.body).toGraph(), ctx(req, 'jobs/$entity'))));
    app.post(`${base}/jobs/validateCredentials`, async (req, reply) => {
      await sync.validateCredentials(sp(req), req.body);
      return noContent(reply);
    });
    app.get(`${base}/jobs/:jobId`, async (req) => single(req, job(req).toGraph(), ctx(req, 'jobs/$entity')));
    app.patch(`${base}/jobs/:jobId`, async (req, reply) => {
      sync.patchJob(job(req), req.body);
      return noContent(reply);
    });
    app.delete(`${base}/jobs/:jobId`, async (req, reply) => {
      sync.deleteJob(job(req));
      return noContent(reply);
    });
    const action = (name: string, run: (req: FastifyRequest, j: SyncJob) => void | Promise<void>) =>
      app.post(`${base}/jobs/:jobId/${name}`, async (req, reply: FastifyReply) => {
        await run(req, job(req));
        return noContent(reply);
      });
    action('start', (_req, j) => sync.start(j));
    action('pause', (_req, j) => sync.pause(j));
    action('restart', (req, j) => sync.restart(j, req.body));
    action('validateCredentials', (req, j) => sync.validateCredentials(tenant.servicePrincipal(j.servicePrincipalId), req.body ?? { useSavedCredentials: true }));
    app.post(`${base}/jobs/:jobId/provisionOnDemand`, async (req) => {
      const j = job(req);
      if (!sync.runner) throw notFound('provisioning engine', 'provisionOnDemand');
      const result = await sync.runner.provisionOnDemand(j, req.body);
      return { '@odata.context': `${GRAPH_PREFIX}/$metadata#microsoft.graph.stringKeyStringValuePair`, ...result };
    });

    // --- job schema ---------------------------------------------------------------------------
    app.get(`${base}/jobs/:jobId/schema`, async (req) => single(req, { ...job(req).schema }, ctx(req, 'jobs/schema/$entity')));
    app.put(`${base}/jobs/:jobId/schema`, async (req, reply) => {
      sync.putSchema(job(req), req.body);
      return noContent(reply);
    });
    app.delete(`${base}/jobs/:jobId/schema`, async (req, reply) => {
      sync.resetSchema(job(req));
      return noContent(reply);
    });
    app.get(`${base}/jobs/:jobId/schema/directories`, async (req) => collection(req, job(req).schema.directories as unknown as Record<string, unknown>[], ctx(req, 'jobs/schema/directories')));
    app.get(`${base}/jobs/:jobId/schema/directories/:directoryId`, async (req) => {
      const { directoryId } = req.params as Params;
      const dir = job(req).schema.directories.find((d) => d.id === directoryId);
      if (!dir) throw notFound('directoryDefinition', directoryId);
      return single(req, { ...dir }, ctx(req, 'jobs/schema/directories/$entity'));
    });

    // --- expression helpers (job- and template-bound) -----------------------------------------
    for (const scope of ['jobs/:jobId', 'templates/:templateId']) {
      const check = (req: FastifyRequest): void => {
        if (scope.startsWith('jobs')) job(req);
        else sync.template(sp(req), (req.params as Params).templateId);
      };
      app.post(`${base}/${scope}/schema/parseExpression`, async (req) => {
        check(req);
        const body = jsonBody(req);
        if (typeof body.expression !== 'string') throw badRequest("The body needs 'expression' (the mapping expression text).");
        return { '@odata.context': `${GRAPH_PREFIX}/$metadata#microsoft.graph.parseExpressionResponse`, ...sync.expressionSupport().parseExpression(body) };
      });
      for (const suffix of ['functions', 'functions()']) {
        app.get(`${base}/${scope}/schema/${suffix}`, async (req) => {
          check(req);
          return { '@odata.context': `${GRAPH_PREFIX}/$metadata#Collection(microsoft.graph.attributeMappingFunctionSchema)`, value: sync.expressionSupport().functions() };
        });
      }
      for (const suffix of ['filterOperators', 'filterOperators()']) {
        app.get(`${base}/${scope}/schema/${suffix}`, async (req) => {
          check(req);
          return {
            '@odata.context': `${GRAPH_PREFIX}/$metadata#Collection(microsoft.graph.filterOperatorSchema)`,
            value: FILTER_OPERATORS.map((o) => ({ name: o.name, arity: o.arity, multivaluedComparisonType: 'All', supportedAttributeTypes: o.types })),
          };
        });
      }
    }
  }

  // --- provisioning logs ----------------------------------------------------------------------
  app.get(`${GRAPH_PREFIX}/auditLogs/provisioning`, async (req) =>
    collection(req, sync.logs as unknown as Record<string, unknown>[], 'auditLogs/provisioning', { pageSize: 50 }));
  app.get(`${GRAPH_PREFIX}/auditLogs/provisioning/:id`, async (req) => {
    const { id } = req.params as Params;
    const record = sync.logs.find((l) => l.id === id);
    if (!record) throw notFound('provisioningObjectSummary', id);
    return single(req, record as unknown as Record<string, unknown>, 'auditLogs/provisioning/$entity');
  });
}
