// "Never a 500 for a client mistake": every write endpoint of the emulator answers malformed bodies
// with a 4xx Graph error (the ODataError shape), never a 500 or a non-Graph body.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NON_GALLERY_TEMPLATE_ID, startEmulator, type RunningEmulator } from '../../emulator/index.js';
import { graphClient, graphSchemaErrors } from './support/graph.js';

let emulator: RunningEmulator;
let graph: ReturnType<typeof graphClient>;
let spId = '';
let appId = '';
let jobId = '';
let userId = '';
let groupId = '';

beforeAll(async () => {
  emulator = await startEmulator({});
  graph = graphClient(emulator.url);
  const created = await graph('POST', `/applicationTemplates/${NON_GALLERY_TEMPLATE_ID}/instantiate`, { displayName: 'Bad input' });
  const body = created.body as { application: { id: string }; servicePrincipal: { id: string } };
  spId = body.servicePrincipal.id;
  appId = body.application.id;
  jobId = String((await graph('POST', `/servicePrincipals/${spId}/synchronization/jobs`, { templateId: 'scim' })).body.id);
  userId = String((await graph('POST', '/users', { displayName: 'U', userPrincipalName: 'u@contoso.example' })).body.id);
  groupId = String((await graph('POST', '/groups', { displayName: 'G' })).body.id);
});
afterAll(async () => emulator?.close());

const BAD_BODIES: unknown[] = [[], 'text', 42, null, { value: 'x' }, { parameters: [{ subjects: 'x' }] }, { synchronizationRules: [{}] }, { appRoles: [{}] }, { criteria: { resetScope: 7 } }];

describe('malformed bodies', () => {
  const endpoints = (): [string, string][] => [
    ['POST', '/users'],
    ['PATCH', `/users/${userId}`],
    ['PUT', `/users/${userId}/manager/$ref`],
    ['POST', '/groups'],
    ['PATCH', `/groups/${groupId}`],
    ['POST', `/groups/${groupId}/members/$ref`],
    ['POST', '/applications'],
    ['PATCH', `/applications/${appId}`],
    ['POST', '/servicePrincipals'],
    ['POST', `/servicePrincipals/${spId}/appRoleAssignedTo`],
    ['POST', `/users/${userId}/appRoleAssignments`],
    ['POST', `/applicationTemplates/${NON_GALLERY_TEMPLATE_ID}/instantiate`],
    ['POST', `/servicePrincipals/${spId}/synchronization/jobs`],
    ['PATCH', `/servicePrincipals/${spId}/synchronization/jobs/${jobId}`],
    ['PUT', `/servicePrincipals/${spId}/synchronization/secrets`],
    ['POST', `/servicePrincipals/${spId}/synchronization/jobs/validateCredentials`],
    ['PUT', `/servicePrincipals/${spId}/synchronization/jobs/${jobId}/schema`],
    ['POST', `/servicePrincipals/${spId}/synchronization/jobs/${jobId}/schema/parseExpression`],
    ['POST', `/servicePrincipals/${spId}/synchronization/jobs/${jobId}/restart`],
    ['POST', `/servicePrincipals/${spId}/synchronization/jobs/${jobId}/provisionOnDemand`],
  ];

  it('answers every malformed body with a 4xx Graph error', async () => {
    const failures: string[] = [];
    for (const [method, path] of endpoints()) {
      for (const body of BAD_BODIES) {
        const res = await graph(method, path, body);
        // A body that happens to be acceptable (e.g. PATCH with an ignorable shape) may succeed; it must never 5xx.
        if (res.status >= 500) failures.push(`${method} ${path} ${JSON.stringify(body)} → ${res.status}`);
        else if (res.status >= 400 && graphSchemaErrors('ODataErrors.ODataError', res.body).length > 0) failures.push(`${method} ${path} ${JSON.stringify(body)} → not a Graph error body`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('answers a body that is not JSON with 400', async () => {
    for (const [method, path] of endpoints()) {
      const res = await fetch(`${emulator.url}/v1.0${path}`, { method, headers: { authorization: 'Bearer t', 'content-type': 'application/json' }, body: '{"unterminated' });
      expect(res.status, `${method} ${path}`).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('BadRequest');
    }
  });
});
