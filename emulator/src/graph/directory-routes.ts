// Directory endpoints: users (manager, soft and hard delete through deletedItems), groups and
// members, applications, service principals, app role assignments, the non-gallery template.
// Shapes follow Microsoft Graph v1.0; only what the scripts and the tests' joiner/mover/leaver
// stories use is served (graph-synchronization.md §3.1, issue 4 §1).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppRoleAssignment, GroupEntry, JsonObject, UserEntry } from '../directory/store.js';
import { NON_GALLERY_TEMPLATE, NON_GALLERY_TEMPLATE_ID, type Tenant } from '../tenant.js';
import { badRequest, notFound } from './errors.js';
import { collection, GRAPH_PREFIX, jsonBody, noContent, single } from './http.js';

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
/** Read-only or computed properties a client cannot set on a user or group. */
const READ_ONLY = new Set(['id', 'deletedDateTime', 'createdDateTime', 'manager', 'members', '@odata.type', '@odata.context']);

type Params = Record<string, string>;

export function userJson(user: UserEntry): JsonObject {
  const json: JsonObject = { id: user.id, ...user.props };
  if (user.deletedDateTime) json.deletedDateTime = user.deletedDateTime;
  return json;
}

export function groupJson(group: GroupEntry): JsonObject {
  const json: JsonObject = { id: group.id, ...group.props };
  if (group.deletedDateTime) json.deletedDateTime = group.deletedDateTime;
  return json;
}

function assignmentJson(a: AppRoleAssignment): JsonObject {
  return { ...a };
}

/** `…/directoryObjects/{id}` or `…/users/{id}` in `@odata.id` / `@odata.bind` → the id. */
function idFromReference(ref: unknown): string {
  if (typeof ref !== 'string') throw badRequest("A reference must be a URL such as 'https://graph.microsoft.com/v1.0/directoryObjects/{id}'.");
  const match = GUID.exec(ref.split('/').pop() ?? '');
  if (!match) throw badRequest(`'${ref}' does not end with a directory object id.`);
  return match[0].toLowerCase();
}

function writableProps(body: JsonObject, what: string): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(body)) {
    if (k.endsWith('@odata.bind')) continue;
    if (READ_ONLY.has(k)) throw badRequest(`Property '${k}' of a ${what} is read-only.`, 'Request_BadRequest');
    out[k] = v;
  }
  return out;
}

export function registerDirectoryRoutes(app: FastifyInstance, tenant: Tenant): void {
  const d = tenant.directory;
  const p = GRAPH_PREFIX;

  const activeUser = (idOrUpn: string): UserEntry => {
    const byId = d.users.get(idOrUpn.toLowerCase()) ?? d.users.get(idOrUpn);
    const user = byId ?? [...d.users.values()].find((u) => String(u.props.userPrincipalName ?? '').toLowerCase() === idOrUpn.toLowerCase());
    if (!user || user.deletedDateTime) throw notFound('user', idOrUpn);
    return user;
  };
  const activeGroup = (id: string): GroupEntry => {
    const group = d.groups.get(id.toLowerCase()) ?? d.groups.get(id);
    if (!group || group.deletedDateTime) throw notFound('group', id);
    return group;
  };
  const uniqueUpn = (upn: unknown, except: string | null): void => {
    if (typeof upn !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(upn)) throw badRequest(`userPrincipalName '${String(upn)}' must look like alias@domain.`, 'Request_BadRequest');
    for (const u of d.users.values()) {
      if (u.id !== except && String(u.props.userPrincipalName ?? '').toLowerCase() === upn.toLowerCase()) {
        throw badRequest('Another object with the same value for property userPrincipalName already exists.', 'Request_BadRequest');
      }
    }
  };
  const bindMembers = (group: GroupEntry, body: JsonObject): void => {
    const binds = body['members@odata.bind'];
    if (binds === undefined) return;
    if (!Array.isArray(binds)) throw badRequest("'members@odata.bind' must be an array of directoryObjects URLs.");
    if (binds.length > 20) throw badRequest('Up to 20 members can be added in a single request.', 'Request_BadRequest');
    const ids = binds.map(idFromReference);
    for (const id of ids) if (!d.users.has(id) && !d.groups.has(id)) throw notFound('directoryObject', id);
    for (const id of ids) d.addMember(group.id, id);
  };

  // --- organization (tenant id for scripts) -------------------------------------------------
  app.get(`${p}/organization`, async (req) =>
    collection(req, [{ id: tenant.tenantId, displayName: 'Emulated tenant', verifiedDomains: [{ name: 'contoso.example', isDefault: true, isInitial: true }] }], 'organization'));

  // --- users --------------------------------------------------------------------------------
  app.get(`${p}/users`, async (req) =>
    collection(req, [...d.users.values()].filter((u) => !u.deletedDateTime).map(userJson), 'users', { caseInsensitive: true }));

  app.post(`${p}/users`, async (req, reply) => {
    const body = jsonBody(req);
    const props = writableProps(body, 'user');
    if (typeof props.displayName !== 'string' || props.displayName === '') throw badRequest("A user needs 'displayName'.", 'Request_BadRequest');
    uniqueUpn(props.userPrincipalName, null);
    delete props.passwordProfile; // accepted, never stored
    props.accountEnabled = props.accountEnabled ?? true;
    props.mailNickname = props.mailNickname ?? String(props.userPrincipalName).split('@')[0];
    const user = d.addUser(props);
    return reply.code(201).send(single(req, userJson(user), 'users/$entity'));
  });

  app.get(`${p}/users/:id`, async (req) => {
    const user = activeUser((req.params as Params).id);
    const json = userJson(user);
    if (String((req.query as Params).$expand ?? '').includes('manager') && user.managerId) {
      const manager = d.users.get(user.managerId);
      if (manager && !manager.deletedDateTime) json.manager = userJson(manager);
    }
    return single(req, json, 'users/$entity');
  });

  app.patch(`${p}/users/:id`, async (req, reply) => {
    const user = activeUser((req.params as Params).id);
    const props = writableProps(jsonBody(req), 'user');
    if (props.userPrincipalName !== undefined) uniqueUpn(props.userPrincipalName, user.id);
    delete props.passwordProfile;
    d.updateUser(user.id, props);
    return noContent(reply);
  });

  /** Graph's DELETE /users/{id} is a soft delete: the user moves to deletedItems for 30 days. */
  app.delete(`${p}/users/:id`, async (req, reply) => {
    d.softDeleteUser(activeUser((req.params as Params).id).id);
    return noContent(reply);
  });

  app.get(`${p}/users/:id/manager`, async (req) => {
    const user = activeUser((req.params as Params).id);
    const manager = user.managerId ? d.users.get(user.managerId) : undefined;
    if (!manager || manager.deletedDateTime) throw notFound('manager', user.id);
    return single(req, { '@odata.type': '#microsoft.graph.user', ...userJson(manager) }, 'directoryObjects/$entity');
  });

  app.put(`${p}/users/:id/manager/$ref`, async (req, reply) => {
    const user = activeUser((req.params as Params).id);
    const managerId = idFromReference(jsonBody(req)['@odata.id']);
    const manager = activeUser(managerId);
    if (manager.id === user.id) throw badRequest('A user cannot be their own manager.', 'Request_BadRequest');
    d.setManager(user.id, manager.id);
    return noContent(reply);
  });

  app.delete(`${p}/users/:id/manager/$ref`, async (req, reply) => {
    const user = activeUser((req.params as Params).id);
    if (!user.managerId) throw notFound('manager', user.id);
    d.setManager(user.id, null);
    return noContent(reply);
  });

  app.get(`${p}/users/:id/directReports`, async (req) => {
    const user = activeUser((req.params as Params).id);
    const reports = [...d.users.values()].filter((u) => u.managerId === user.id && !u.deletedDateTime);
    return collection(req, reports.map((u) => ({ '@odata.type': '#microsoft.graph.user', ...userJson(u) })), 'directoryObjects');
  });

  app.get(`${p}/users/:id/memberOf`, async (req) => {
    const user = activeUser((req.params as Params).id);
    const groups = [...d.groupsOf(user.id)].map((g) => d.groups.get(g)!).filter((g) => !g.deletedDateTime);
    return collection(req, groups.map((g) => ({ '@odata.type': '#microsoft.graph.group', ...groupJson(g) })), 'directoryObjects');
  });

  // --- groups -------------------------------------------------------------------------------
  app.get(`${p}/groups`, async (req) =>
    collection(req, [...d.groups.values()].filter((g) => !g.deletedDateTime).map(groupJson), 'groups', { caseInsensitive: true }));

  app.post(`${p}/groups`, async (req, reply) => {
    const body = jsonBody(req);
    const props = writableProps(body, 'group');
    if (typeof props.displayName !== 'string' || props.displayName === '') throw badRequest("A group needs 'displayName'.", 'Request_BadRequest');
    props.mailEnabled = props.mailEnabled ?? false;
    props.securityEnabled = props.securityEnabled ?? true;
    props.mailNickname = props.mailNickname ?? String(props.displayName).replace(/[^\w]/g, '');
    const group = d.addGroup(props);
    bindMembers(group, body);
    return reply.code(201).send(single(req, groupJson(group), 'groups/$entity'));
  });

  app.get(`${p}/groups/:id`, async (req) => single(req, groupJson(activeGroup((req.params as Params).id)), 'groups/$entity'));

  app.patch(`${p}/groups/:id`, async (req, reply) => {
    const group = activeGroup((req.params as Params).id);
    const body = jsonBody(req);
    const props = writableProps(body, 'group');
    if (Object.keys(props).length > 0) d.updateGroup(group.id, props);
    bindMembers(group, body);
    return noContent(reply);
  });

  app.delete(`${p}/groups/:id`, async (req, reply) => {
    d.softDeleteGroup(activeGroup((req.params as Params).id).id);
    return noContent(reply);
  });

  app.get(`${p}/groups/:id/members`, async (req) => {
    const group = activeGroup((req.params as Params).id);
    const members = [...group.members].map((id) => d.users.get(id)).filter((u): u is UserEntry => !!u && !u.deletedDateTime);
    return collection(req, members.map((u) => ({ '@odata.type': '#microsoft.graph.user', ...userJson(u) })), 'directoryObjects');
  });

  app.post(`${p}/groups/:id/members/$ref`, async (req, reply) => {
    const group = activeGroup((req.params as Params).id);
    const memberId = idFromReference(jsonBody(req)['@odata.id']);
    const member = d.users.get(memberId) ?? d.groups.get(memberId);
    if (!member || member.deletedDateTime) throw notFound('directoryObject', memberId);
    if (!d.addMember(group.id, memberId)) {
      throw badRequest("One or more added object references already exist for the following modified properties: 'members'.", 'Request_BadRequest');
    }
    return noContent(reply);
  });

  app.delete(`${p}/groups/:id/members/:memberId/$ref`, async (req, reply) => {
    const { id, memberId } = req.params as Params;
    const group = activeGroup(id);
    if (!d.removeMember(group.id, memberId.toLowerCase())) throw notFound('member', memberId);
    return noContent(reply);
  });

  // --- deleted items: restore and permanent (hard) delete -------------------------------------
  app.get(`${p}/directory/deletedItems/microsoft.graph.user`, async (req) =>
    collection(req, [...d.users.values()].filter((u) => u.deletedDateTime).map(userJson), 'directory/deletedItems/microsoft.graph.user'));
  app.get(`${p}/directory/deletedItems/microsoft.graph.group`, async (req) =>
    collection(req, [...d.groups.values()].filter((g) => g.deletedDateTime).map(groupJson), 'directory/deletedItems/microsoft.graph.group'));

  const deletedItem = (id: string): { user?: UserEntry; group?: GroupEntry } => {
    const user = d.users.get(id);
    if (user?.deletedDateTime) return { user };
    const group = d.groups.get(id);
    if (group?.deletedDateTime) return { group };
    throw notFound('deletedItem', id);
  };
  app.get(`${p}/directory/deletedItems/:id`, async (req) => {
    const item = deletedItem((req.params as Params).id);
    return single(req, item.user ? { '@odata.type': '#microsoft.graph.user', ...userJson(item.user) } : { '@odata.type': '#microsoft.graph.group', ...groupJson(item.group!) }, 'directoryObjects/$entity');
  });
  app.post(`${p}/directory/deletedItems/:id/restore`, async (req) => {
    const item = deletedItem((req.params as Params).id);
    if (item.user) {
      d.restoreUser(item.user.id);
      return single(req, { '@odata.type': '#microsoft.graph.user', ...userJson(item.user) }, 'directoryObjects/$entity');
    }
    d.restoreGroup(item.group!.id);
    return single(req, { '@odata.type': '#microsoft.graph.group', ...groupJson(item.group!) }, 'directoryObjects/$entity');
  });
  app.delete(`${p}/directory/deletedItems/:id`, async (req, reply) => {
    const item = deletedItem((req.params as Params).id);
    if (item.user) d.hardDeleteUser(item.user.id);
    else d.hardDeleteGroup(item.group!.id);
    return noContent(reply);
  });

  // --- application templates ----------------------------------------------------------------
  app.get(`${p}/applicationTemplates`, async (req) => collection(req, [{ ...NON_GALLERY_TEMPLATE }], 'applicationTemplates', { caseInsensitive: true }));
  app.get(`${p}/applicationTemplates/:id`, async (req) => {
    const { id } = req.params as Params;
    if (id !== NON_GALLERY_TEMPLATE_ID) throw notFound('applicationTemplate', id);
    return single(req, { ...NON_GALLERY_TEMPLATE }, 'applicationTemplates/$entity');
  });
  app.post(`${p}/applicationTemplates/:id/instantiate`, async (req, reply) => {
    const result = tenant.instantiate((req.params as Params).id, req.body);
    return reply.code(201).send({ '@odata.context': `${GRAPH_PREFIX}/$metadata#microsoft.graph.applicationServicePrincipal`, ...result });
  });

  // --- applications -------------------------------------------------------------------------
  const applications = (): JsonObject[] => [...d.applications.values()].map((a) => tenant.applicationJson(a));
  app.get(`${p}/applications`, async (req) => collection(req, applications(), 'applications', { caseInsensitive: true }));
  app.post(`${p}/applications`, async (req, reply) => reply.code(201).send(single(req, tenant.applicationJson(tenant.createApplication(jsonBody(req))), 'applications/$entity')));
  app.get(`${p}/applications/:id`, async (req) => single(req, tenant.applicationJson(tenant.application((req.params as Params).id)), 'applications/$entity'));
  app.patch(`${p}/applications/:id`, async (req, reply) => {
    tenant.updateApplication((req.params as Params).id, req.body);
    return noContent(reply);
  });
  app.delete(`${p}/applications/:id`, async (req, reply) => {
    tenant.deleteApplication((req.params as Params).id);
    return noContent(reply);
  });

  // --- service principals -------------------------------------------------------------------
  const servicePrincipals = (): JsonObject[] => [...d.servicePrincipals.values()].map((s) => tenant.servicePrincipalJson(s));
  app.get(`${p}/servicePrincipals`, async (req) => collection(req, servicePrincipals(), 'servicePrincipals', { caseInsensitive: true }));
  app.post(`${p}/servicePrincipals`, async (req, reply) =>
    reply.code(201).send(single(req, tenant.servicePrincipalJson(tenant.createServicePrincipal(jsonBody(req).appId)), 'servicePrincipals/$entity')));
  app.get(`${p}/servicePrincipals/:id`, async (req) => single(req, tenant.servicePrincipalJson(tenant.servicePrincipal((req.params as Params).id)), 'servicePrincipals/$entity'));
  app.patch(`${p}/servicePrincipals/:id`, async (req, reply) => {
    const sp = tenant.servicePrincipal((req.params as Params).id);
    const { id: _id, appId: _appId, appRoles: _roles, ...rest } = jsonBody(req);
    Object.assign(sp.props, rest);
    return noContent(reply);
  });
  app.delete(`${p}/servicePrincipals/:id`, async (req, reply) => {
    tenant.deleteServicePrincipal((req.params as Params).id);
    return noContent(reply);
  });

  // --- app role assignments -----------------------------------------------------------------
  app.get(`${p}/servicePrincipals/:id/appRoleAssignedTo`, async (req) => {
    const sp = tenant.servicePrincipal((req.params as Params).id);
    return collection(req, d.assignmentsOf(sp.id).map(assignmentJson), `servicePrincipals('${sp.id}')/appRoleAssignedTo`);
  });
  app.post(`${p}/servicePrincipals/:id/appRoleAssignedTo`, async (req, reply) => {
    const { id } = req.params as Params;
    return reply.code(201).send(single(req, assignmentJson(tenant.assign(id, req.body)), `servicePrincipals('${id}')/appRoleAssignedTo/$entity`));
  });
  app.delete(`${p}/servicePrincipals/:id/appRoleAssignedTo/:assignmentId`, async (req, reply) => {
    const { id, assignmentId } = req.params as Params;
    tenant.unassign(id, assignmentId);
    return noContent(reply);
  });

  const principalAssignments = (kind: 'users' | 'groups') => {
    const resolve = (req: FastifyRequest): string => (kind === 'users' ? activeUser((req.params as Params).id).id : activeGroup((req.params as Params).id).id);
    app.get(`${p}/${kind}/:id/appRoleAssignments`, async (req) => {
      const principalId = resolve(req);
      return collection(req, [...d.assignments.values()].filter((a) => a.principalId === principalId).map(assignmentJson), `${kind}('${principalId}')/appRoleAssignments`);
    });
    app.post(`${p}/${kind}/:id/appRoleAssignments`, async (req, reply) => {
      const principalId = resolve(req);
      const body = jsonBody(req);
      if (body.principalId !== undefined && body.principalId !== principalId) throw badRequest(`'principalId' must be '${principalId}'.`, 'Request_BadRequest');
      if (typeof body.resourceId !== 'string') throw badRequest("An app role assignment needs 'resourceId' (the service principal id).", 'Request_BadRequest');
      return reply.code(201).send(single(req, assignmentJson(tenant.assign(body.resourceId, { ...body, principalId })), `${kind}('${principalId}')/appRoleAssignments/$entity`));
    });
    app.delete(`${p}/${kind}/:id/appRoleAssignments/:assignmentId`, async (req, reply) => {
      const principalId = resolve(req);
      const a = d.assignments.get((req.params as Params).assignmentId);
      if (!a || a.principalId !== principalId) throw notFound('appRoleAssignment', (req.params as Params).assignmentId);
      d.unassign(a.id);
      return noContent(reply);
    });
  };
  principalAssignments('users');
  principalAssignments('groups');

}
