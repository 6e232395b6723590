// Graph synchronization API of the emulator over real HTTP (graph-synchronization.md §3.2–3.9):
// templates, jobs, secrets, validateCredentials against the real SCIM service, schema GET/PUT with
// expression validation, parseExpression, functions, filterOperators, start/pause/restart.
// Bodies are validated against the OpenAPI subset built from Microsoft's CSDL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type RunningService } from '../../service/src/index.js';
import { NON_GALLERY_TEMPLATE_ID, startEmulator, type RunningEmulator } from '../../emulator/index.js';
import { graphClient, graphSchemaErrors } from './support/graph.js';

const SCIM_TOKEN = 'emulator-sync-test-token-0123456789';
let emulator: RunningEmulator;
let service: RunningService;
let graph: ReturnType<typeof graphClient>;
let spId = '';
let appObjectId = '';
let appId = '';
let jobId = '';
let tenantUrl = '';

type Collection = { value: Record<string, unknown>[] };
type Schema = {
  synchronizationRules: { id: string; objectMappings: { name: string; sourceObjectName: string; attributeMappings: Record<string, unknown>[] }[] }[];
  directories: { name: string; objects: { name: string; attributes: { name: string }[] }[] }[];
};

beforeAll(async () => {
  service = await startService({ port: 0, host: '127.0.0.1', databaseUrl: 'sqlite::memory:', tenant: 'sync-test', token: SCIM_TOKEN, logLevel: 'silent' });
  tenantUrl = `${service.url}/scim/sync-test`;
  emulator = await startEmulator({ tenantId: 'ff8bf889-e031-41ac-8f7b-aedb059892ee' });
  graph = graphClient(emulator.url);
  const created = await graph('POST', `/applicationTemplates/${NON_GALLERY_TEMPLATE_ID}/instantiate`, { displayName: 'Sync API test' });
  const body = created.body as { application: { id: string; appId: string }; servicePrincipal: { id: string } };
  spId = body.servicePrincipal.id;
  appObjectId = body.application.id;
  appId = body.application.appId;
});
afterAll(async () => {
  await emulator?.close();
  await service?.close();
});

describe('templates', () => {
  it('lists the scim template for the service principal and the application', async () => {
    for (const path of [`/servicePrincipals/${spId}/synchronization/templates`, `/applications/${appObjectId}/synchronization/templates`]) {
      const res = await graph<Collection>('GET', path);
      expect(res.status).toBe(200);
      expect(res.body.value.map((t) => t.id)).toEqual(['scim']);
      for (const t of res.body.value) expect(graphSchemaErrors('synchronizationTemplate', t)).toEqual([]);
    }
  });

  it('serves the template schema with the default mappings of reference §5', async () => {
    const res = await graph<Schema>('GET', `/servicePrincipals/${spId}/synchronization/templates/scim/schema`);
    expect(res.status).toBe(200);
    expect(graphSchemaErrors('synchronizationSchema', res.body)).toEqual([]);
    const [users, groups] = res.body.synchronizationRules[0].objectMappings;
    expect(users.attributeMappings).toHaveLength(22);
    expect(groups.attributeMappings).toHaveLength(3);
    expect(users.attributeMappings[0]).toMatchObject({ targetAttributeName: 'userName', matchingPriority: 1, source: { type: 'Attribute', name: 'userPrincipalName' } });
    expect(users.attributeMappings[1]).toMatchObject({ targetAttributeName: 'active', source: { type: 'Function', name: 'Switch', expression: 'Switch([IsSoftDeleted], , "False", "True", "True", "False")' } });
  });
});

describe('jobs', () => {
  it('creates a job from templateId "scim": 201, Entra-form id, disabled schedule, NotConfigured', async () => {
    const res = await graph('POST', `/servicePrincipals/${spId}/synchronization/jobs`, { templateId: 'scim' });
    expect(res.status).toBe(201);
    expect(graphSchemaErrors('synchronizationJob', res.body)).toEqual([]);
    jobId = String(res.body.id);
    expect(jobId).toBe(`scim.ff8bf889e03141ac8f7baedb059892ee.${appId}`);
    expect(res.body).toMatchObject({
      templateId: 'scim',
      schedule: { expiration: null, interval: 'P10675199DT2H48M5.4775807S', state: 'Disabled' },
      status: { code: 'NotConfigured', lastExecution: null, quarantine: null, steadyStateLastAchievedTime: '0001-01-01T00:00:00Z', progress: [] },
    });
  });

  it('refuses a second job, a missing and an unknown templateId', async () => {
    expect((await graph('POST', `/servicePrincipals/${spId}/synchronization/jobs`, { templateId: 'scim' })).status).toBe(409);
    const missing = await graph('POST', `/servicePrincipals/${spId}/synchronization/jobs`, {});
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.body)).toContain('templateId');
    expect((await graph('POST', `/servicePrincipals/${spId}/synchronization/jobs`, { templateId: 'aws' })).status).toBe(400);
  });

  it('PATCH changes synchronizationJobSettings only (merged by name)', async () => {
    const path = `/servicePrincipals/${spId}/synchronization/jobs/${jobId}`;
    expect((await graph('PATCH', path, { synchronizationJobSettings: [{ name: 'QuarantineTooManyDeletesThreshold', value: '25' }] })).status).toBe(204);
    const settings = (await graph('GET', path)).body.synchronizationJobSettings as { name: string; value: string }[];
    expect(settings).toContainEqual({ name: 'QuarantineTooManyDeletesThreshold', value: '25' });
    expect(settings).toContainEqual({ name: 'AzureIngestionAttributeOptimization', value: 'False' });
    expect((await graph('PATCH', path, { synchronizationJobSettings: [{ name: 'QuarantineTooManyDeletesThreshold', value: 'many' }] })).status).toBe(400);
    const other = await graph('PATCH', path, { templateId: 'aws' });
    expect(other.status).toBe(400);
    expect(JSON.stringify(other.body)).toContain("'templateId'");
  });

  it('gets and lists the job through the service principal and the application', async () => {
    expect((await graph('GET', `/servicePrincipals/${spId}/synchronization/jobs/${jobId}`)).body.id).toBe(jobId);
    expect((await graph<Collection>('GET', `/applications/${appObjectId}/synchronization/jobs`)).body.value.map((j) => j.id)).toEqual([jobId]);
    const missing = await graph('GET', `/servicePrincipals/${spId}/synchronization/jobs/scim.nope`);
    expect(missing.status).toBe(404);
    expect(graphSchemaErrors('ODataErrors.ODataError', missing.body)).toEqual([]);
  });
});

describe('secrets and validateCredentials', () => {
  it('tests credentials before saving them: 204 against the real SCIM service', async () => {
    const res = await graph('POST', `/servicePrincipals/${spId}/synchronization/jobs/validateCredentials`, {
      templateId: 'scim', useSavedCredentials: false,
      credentials: [{ key: 'BaseAddress', value: tenantUrl }, { key: 'SecretToken', value: SCIM_TOKEN }],
    });
    expect(res.status).toBe(204);
  });

  it('reports a wrong token the way Graph does, without echoing it', async () => {
    const res = await graph('POST', `/servicePrincipals/${spId}/synchronization/jobs/validateCredentials`, {
      credentials: [{ key: 'BaseAddress', value: tenantUrl }, { key: 'SecretToken', value: 'wrong-token-value' }],
    });
    expect(res.status).toBe(400);
    expect(graphSchemaErrors('ODataErrors.ODataError', res.body)).toEqual([]);
    expect((res.body as { error: { code: string } }).error.code).toBe('SystemForCrossDomainIdentityManagementInvalidCredentials');
    expect(JSON.stringify(res.body)).not.toContain('wrong-token-value');
  });

  it('reports an unreachable endpoint and a non-SCIM answer', async () => {
    const down = await graph('POST', `/servicePrincipals/${spId}/synchronization/jobs/validateCredentials`, {
      credentials: [{ key: 'BaseAddress', value: 'http://127.0.0.1:1/scim' }, { key: 'SecretToken', value: 't' }],
    });
    expect((down.body as { error: { code: string } }).error.code).toBe('SystemForCrossDomainIdentityManagementCredentialValidationUnavailable');
    const notScim = await graph('POST', `/servicePrincipals/${spId}/synchronization/jobs/validateCredentials`, {
      credentials: [{ key: 'BaseAddress', value: `${emulator.url}/v1.0` }, { key: 'SecretToken', value: 't' }],
    });
    expect((notScim.body as { error: { code: string } }).error.code).toBe('SystemForCrossDomainIdentityManagementBadResponse');
  });

  it('saves secrets (204) and reads them back with the token masked', async () => {
    const put = await graph('PUT', `/servicePrincipals/${spId}/synchronization/secrets`, {
      value: [{ key: 'BaseAddress', value: tenantUrl }, { key: 'SecretToken', value: SCIM_TOKEN }, { key: 'SyncAll', value: 'false' }],
    });
    expect(put.status).toBe(204);
    const get = await graph<Collection>('GET', `/servicePrincipals/${spId}/synchronization/secrets`);
    expect(get.body.value).toEqual([
      { key: 'BaseAddress', value: tenantUrl },
      { key: 'SecretToken', value: '*' },
      { key: 'SyncAll', value: 'false' },
    ]);
    expect(JSON.stringify(get.body)).not.toContain(SCIM_TOKEN);
    expect((await graph('GET', `/servicePrincipals/${spId}/synchronization/jobs/${jobId}`)).body).toMatchObject({ status: { code: 'NotRun' } });
  });

  it('rejects an unknown secret key and a tenant URL that is not http(s)', async () => {
    const typo = await graph('PUT', `/servicePrincipals/${spId}/synchronization/secrets`, { value: [{ key: 'SecretTokn', value: 'x' }] });
    expect(typo.status).toBe(400);
    expect(JSON.stringify(typo.body)).toContain("'SecretTokn'");
    expect((await graph('PUT', `/servicePrincipals/${spId}/synchronization/secrets`, { value: [{ key: 'BaseAddress', value: 'scim.example.com' }] })).status).toBe(400);
  });

  it('validates the saved credentials through the job', async () => {
    expect((await graph('POST', `/servicePrincipals/${spId}/synchronization/jobs/${jobId}/validateCredentials`, { useSavedCredentials: true })).status).toBe(204);
  });
});

describe('job schema', () => {
  const schemaPath = (): string => `/servicePrincipals/${spId}/synchronization/jobs/${jobId}/schema`;

  it('GET returns the template defaults under the job id', async () => {
    const res = await graph<Schema & { id: string }>('GET', schemaPath());
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(jobId);
    expect(graphSchemaErrors('synchronizationSchema', res.body)).toEqual([]);
  });

  it('PUT stores an edited schema: a directory extension attribute and its mapping', async () => {
    const schema = (await graph<Schema>('GET', schemaPath())).body;
    const ext = `extension_${appId.replaceAll('-', '')}_costCenter`;
    schema.directories.find((d) => d.name === 'Azure Active Directory')!.objects.find((o) => o.name === 'User')!.attributes.push({ name: ext, type: 'String' } as { name: string });
    schema.synchronizationRules[0].objectMappings[0].attributeMappings.push({
      source: { name: ext, type: 'Attribute' },
      targetAttributeName: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter',
    });
    expect((await graph('PUT', schemaPath(), schema)).status).toBe(204);
    const back = (await graph<Schema>('GET', schemaPath())).body;
    const added = back.synchronizationRules[0].objectMappings[0].attributeMappings.at(-1)!;
    expect(added).toMatchObject({ flowType: 'Always', flowBehavior: 'FlowWhenChanged', matchingPriority: 0, source: { name: ext, type: 'Attribute' } });
    expect(graphSchemaErrors('synchronizationSchema', back)).toEqual([]);
  });

  it('PUT rejects a bad expression with a Graph error naming the mapping, and keeps the old schema', async () => {
    const before = (await graph<Schema>('GET', schemaPath())).body;
    const schema = structuredClone(before);
    schema.synchronizationRules[0].objectMappings[0].attributeMappings[2] = {
      targetAttributeName: 'displayName',
      source: { type: 'Function', name: 'Join', expression: 'Join(" ", [givenName], [surname]' },
    };
    const res = await graph('PUT', schemaPath(), schema);
    expect(res.status).toBe(400);
    expect(graphSchemaErrors('ODataErrors.ODataError', res.body)).toEqual([]);
    const message = (res.body as { error: { message: string } }).error.message;
    expect(message).toContain("Attribute mapping 'displayName' in object mapping 'Provision Azure Active Directory Users'");
    expect(message).toContain('column');
    expect((await graph<Schema>('GET', schemaPath())).body).toEqual(before);
  });

  it('PUT rejects an unknown function (names are case-sensitive) and an undefined source attribute', async () => {
    const base = (await graph<Schema>('GET', schemaPath())).body;
    const unknownFn = structuredClone(base);
    unknownFn.synchronizationRules[0].objectMappings[0].attributeMappings[3] = { targetAttributeName: 'title', source: { type: 'Function', name: 'toUpper', expression: 'toUpper([jobTitle])' } };
    const a = await graph('PUT', schemaPath(), unknownFn);
    expect(a.status).toBe(400);
    expect((a.body as { error: { message: string } }).error.message).toMatch(/Attribute mapping 'title'.*toUpper/);
    const unknownAttr = structuredClone(base);
    unknownAttr.synchronizationRules[0].objectMappings[0].attributeMappings[3] = { targetAttributeName: 'title', source: { type: 'Attribute', name: 'jobtitle' } };
    const b = await graph('PUT', schemaPath(), unknownAttr);
    expect(b.status).toBe(400);
    expect((b.body as { error: { message: string } }).error.message).toContain("reads 'jobtitle'");
  });

  it('PUT accepts a source given only as a tree: omitted arguments are restored by parameter key', async () => {
    const schema = (await graph<Schema>('GET', schemaPath())).body;
    const strip = (n: Record<string, unknown>): Record<string, unknown> => ({
      type: n.type, name: n.name, parameters: (n.parameters as { key: string; value: Record<string, unknown> }[]).map((p) => ({ key: p.key, value: strip(p.value) })),
    });
    const active = schema.synchronizationRules[0].objectMappings[0].attributeMappings[1];
    active.source = strip(active.source as Record<string, unknown>);
    expect(JSON.stringify(active.source)).not.toContain('expression');
    expect((await graph('PUT', schemaPath(), schema)).status).toBe(204);
    const bad = structuredClone(schema);
    (bad.synchronizationRules[0].objectMappings[0].attributeMappings[1].source as { parameters: { key: string }[] }).parameters[0].key = 'nonsense';
    const res = await graph('PUT', schemaPath(), bad);
    expect(res.status).toBe(400);
    expect((res.body as { error: { message: string } }).error.message).toContain("Attribute mapping 'active'");
  });

  it('PUT rejects a rule id the engine does not know', async () => {
    const schema = (await graph<Schema>('GET', schemaPath())).body;
    schema.synchronizationRules[0].id = 'made-up';
    const res = await graph('PUT', schemaPath(), schema);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8');
  });

  it('DELETE resets the job schema to the template', async () => {
    expect((await graph('DELETE', schemaPath())).status).toBe(204);
    const schema = (await graph<Schema>('GET', schemaPath())).body;
    expect(schema.synchronizationRules[0].objectMappings[0].attributeMappings).toHaveLength(22);
  });
});

describe('expression helpers', () => {
  it('parseExpression evaluates the documented sample: Replace with EN-US → EN_US', async () => {
    // graph-synchronization.md §3.9 sample (synchronization-synchronizationschema-parseexpression).
    const res = await graph('POST', `/servicePrincipals/${spId}/synchronization/jobs/${jobId}/schema/parseExpression`, {
      expression: 'Replace([preferredLanguage], "-", , , "_", ,  )',
      testInputObject: { definition: null, properties: [{ key: 'preferredLanguage', value: 'EN-US' }] },
      targetAttributeDefinition: null,
    });
    expect(res.status).toBe(200);
    expect(graphSchemaErrors('parseExpressionResponse', res.body)).toEqual([]);
    expect(res.body).toMatchObject({ parsingSucceeded: true, evaluationSucceeded: true, evaluationResult: ['EN_US'], error: null });
    expect(res.body.parsedExpression).toMatchObject({ type: 'Function', name: 'Replace', parameters: [{ key: 'source', value: { type: 'Attribute', name: 'preferredLanguage' } }, {}, {}] });
  });

  it('parseExpression reports a syntax error in the body, not as an HTTP error', async () => {
    const res = await graph('POST', `/servicePrincipals/${spId}/synchronization/templates/scim/schema/parseExpression`, { expression: 'Join(" ", [givenName]' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ parsingSucceeded: false, evaluationSucceeded: false, error: { code: 'InvalidExpression' } });
  });

  it('lists functions and filter operators', async () => {
    const fns = await graph<Collection>('GET', `/servicePrincipals/${spId}/synchronization/jobs/${jobId}/schema/functions`);
    expect(fns.body.value.map((f) => f.name)).toEqual(expect.arrayContaining(['Append', 'Switch', 'SingleAppRoleAssignment']));
    const ops = await graph<Collection>('GET', `/servicePrincipals/${spId}/synchronization/jobs/${jobId}/schema/filterOperators()`);
    expect(ops.body.value).toContainEqual({ name: 'EQUALS', arity: 'Binary', multivaluedComparisonType: 'All', supportedAttributeTypes: ['String', 'Integer', 'Reference', 'Boolean'] });
    for (const op of ops.body.value) expect(graphSchemaErrors('filterOperatorSchema', op)).toEqual([]);
  });
});

describe('start, pause, restart, delete', () => {
  it('pauses and restarts with resetScope; rejects an unknown flag', async () => {
    const path = `/servicePrincipals/${spId}/synchronization/jobs/${jobId}`;
    expect((await graph('POST', `${path}/pause`)).status).toBe(204);
    expect((await graph('GET', path)).body).toMatchObject({ schedule: { state: 'Paused' }, status: { code: 'Paused' } });
    const bad = await graph('POST', `${path}/restart`, { criteria: { resetScope: 'Watermark, Everything' } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain("'everything'");
  });

  it('deletes the job: 204, then 404', async () => {
    expect((await graph('DELETE', `/servicePrincipals/${spId}/synchronization/jobs/${jobId}`)).status).toBe(204);
    expect((await graph('GET', `/servicePrincipals/${spId}/synchronization/jobs/${jobId}`)).status).toBe(404);
  });
});
