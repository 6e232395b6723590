// The emulated tenant's object model beyond users and groups: applications, service principals,
// the non-gallery application template and app role assignments. Graph JSON shapes are built here
// so the HTTP layer only routes.
import { DEFAULT_ACCESS_ROLE_ID, Directory, type AppRole, type AppRoleAssignment, type ApplicationEntry, type ServicePrincipalEntry } from './directory/store.js';
import { badRequest, GraphError, notFound } from './graph/errors.js';
import { newGuid } from './ids.js';

/** The "non-gallery" (custom) application template (graph-synchronization.md §1, §3.1). */
export const NON_GALLERY_TEMPLATE_ID = '8adf8e6e-67b2-4cf2-a259-e3dc5476c621';

export const NON_GALLERY_TEMPLATE = {
  id: NON_GALLERY_TEMPLATE_ID,
  displayName: 'Non-gallery application',
  homePageUrl: null,
  supportedSingleSignOnModes: ['password', 'saml', 'notSupported'],
  supportedProvisioningTypes: ['sync'],
  logoUrl: null,
  categories: [],
  publisher: 'Microsoft Corporation',
  description: null,
} as const;

/** Roles every non-gallery app starts with (what instantiate creates). */
function defaultAppRoles(): AppRole[] {
  return [
    { id: '18d14569-c3bd-439b-9a66-3a2aee01d14f', value: null, displayName: 'User', description: 'User', allowedMemberTypes: ['User'], isEnabled: true, origin: 'Application' },
    { id: 'b9632174-c057-4f7e-951b-be3adc52bfe6', value: null, displayName: 'msiam_access', description: 'msiam_access', allowedMemberTypes: ['User'], isEnabled: true, origin: 'Application' },
  ];
}

export class Tenant {
  readonly directory: Directory;
  /**
   * App role assignments of the seed (`{principalId, appRoleValue}`): the sample directory states who
   * holds which role, so they are granted as soon as an application with that role value has a
   * service principal (after instantiate and the appRoles PATCH), as Pulumi would assign them.
   */
  seedAssignments: { principalId: string; appRoleValue: string | null }[] = [];

  constructor(readonly tenantId: string) {
    this.directory = new Directory(tenantId);
  }

  // --- applications -------------------------------------------------------------------------
  instantiate(templateId: string, body: unknown): { application: Record<string, unknown>; servicePrincipal: Record<string, unknown> } {
    if (templateId !== NON_GALLERY_TEMPLATE_ID) throw notFound('applicationTemplate', templateId);
    const displayName = (body as { displayName?: unknown } | null)?.displayName;
    if (typeof displayName !== 'string' || displayName.trim() === '') {
      throw badRequest("The request body needs 'displayName': the name of the enterprise application to create.", 'Request_BadRequest');
    }
    const app = this.createApplication({ displayName }, templateId);
    const sp = this.createServicePrincipal(app.appId, templateId);
    return { application: this.applicationJson(app), servicePrincipal: this.servicePrincipalJson(sp) };
  }

  createApplication(props: Record<string, unknown>, templateId: string | null = null): ApplicationEntry {
    if (typeof props.displayName !== 'string' || props.displayName === '') throw badRequest("An application needs a 'displayName'.", 'Request_BadRequest');
    const { appRoles: requested, id: _id, appId: _appId, ...rest } = props as { appRoles?: unknown; id?: unknown; appId?: unknown };
    const app: ApplicationEntry = {
      id: newGuid(),
      appId: newGuid(),
      props: { ...rest, applicationTemplateId: templateId, signInAudience: 'AzureADMyOrg', createdDateTime: new Date().toISOString() },
      appRoles: requested === undefined ? defaultAppRoles() : this.normaliseRoles(requested),
    };
    this.directory.applications.set(app.id, app);
    return app;
  }

  updateApplication(id: string, changes: unknown): void {
    const app = this.application(id);
    if (!changes || typeof changes !== 'object' || Array.isArray(changes)) throw badRequest('The body must be a JSON object with the properties to change.');
    const { appRoles, id: _id, appId: _appId, ...rest } = changes as Record<string, unknown>;
    if (appRoles !== undefined) {
      const next = this.normaliseRoles(appRoles);
      // Entra refuses to remove a role that is still enabled or assigned.
      for (const old of app.appRoles) {
        if (next.some((r) => r.id === old.id)) continue;
        if (old.isEnabled) throw badRequest(`App role '${old.displayName}' (${old.id}) must be disabled (isEnabled false) before it can be deleted.`, 'CannotDeleteOrUpdateEnabledEntitlement');
        const sp = this.servicePrincipalByAppId(app.appId);
        if (sp && this.directory.assignmentsOf(sp.id).some((a) => a.appRoleId === old.id)) {
          throw badRequest(`App role '${old.displayName}' (${old.id}) is still assigned; remove its assignments first.`, 'CannotDeleteOrUpdateEnabledEntitlement');
        }
      }
      app.appRoles = next;
    }
    this.applySeedAssignments();
    Object.assign(app.props, rest);
    const sp = this.servicePrincipalByAppId(app.appId);
    if (sp && typeof rest.displayName === 'string') sp.props.displayName = rest.displayName;
  }

  deleteApplication(id: string): void {
    const app = this.application(id);
    const sp = this.servicePrincipalByAppId(app.appId);
    if (sp) this.deleteServicePrincipal(sp.id);
    this.directory.applications.delete(id);
  }

  normaliseRoles(roles: unknown): AppRole[] {
    if (!Array.isArray(roles)) throw badRequest("'appRoles' must be an array of appRole objects.");
    const seenValues = new Set<string>();
    return roles.map((raw: Partial<AppRole>) => {
      if (!raw || typeof raw !== 'object' || typeof raw.displayName !== 'string' || raw.displayName === '') throw badRequest('Every app role needs a displayName.');
      const value = raw.value ?? null;
      if (value !== null) {
        if (seenValues.has(value)) throw badRequest(`App role value '${value}' is used twice; values must be unique.`);
        seenValues.add(value);
      }
      return {
        id: raw.id ?? newGuid(),
        value,
        displayName: raw.displayName,
        description: raw.description ?? raw.displayName,
        allowedMemberTypes: raw.allowedMemberTypes ?? ['User'],
        isEnabled: raw.isEnabled ?? true,
        origin: raw.origin ?? 'Application',
      };
    });
  }

  application(id: string): ApplicationEntry {
    const app = this.directory.applications.get(id);
    if (!app) throw notFound('application', id);
    return app;
  }

  // --- service principals -------------------------------------------------------------------
  createServicePrincipal(appId: unknown, templateId: string | null = null): ServicePrincipalEntry {
    if (typeof appId !== 'string' || appId === '') throw badRequest("A service principal needs 'appId' (the application's client id).", 'Request_BadRequest');
    const app = [...this.directory.applications.values()].find((a) => a.appId === appId);
    if (!app) throw badRequest(`No application with appId '${appId}' exists in this tenant.`, 'Request_BadRequest');
    if (this.servicePrincipalByAppId(appId)) {
      throw new GraphError(409, 'Request_MultipleObjectsWithSameKeyValue', `A service principal for appId '${appId}' already exists.`);
    }
    const sp: ServicePrincipalEntry = {
      id: newGuid(),
      appId,
      applicationObjectId: app.id,
      props: {
        displayName: app.props.displayName,
        accountEnabled: true,
        appOwnerOrganizationId: this.tenantId,
        applicationTemplateId: templateId ?? app.props.applicationTemplateId ?? null,
        appRoleAssignmentRequired: true,
        servicePrincipalType: 'Application',
        servicePrincipalNames: [appId],
        preferredSingleSignOnMode: null,
        tags: ['WindowsAzureActiveDirectoryIntegratedApp'],
      },
    };
    this.directory.servicePrincipals.set(sp.id, sp);
    this.applySeedAssignments();
    return sp;
  }

  deleteServicePrincipal(id: string): void {
    this.servicePrincipal(id);
    for (const a of this.directory.assignmentsOf(id)) this.directory.unassign(a.id);
    this.directory.servicePrincipals.delete(id);
  }

  servicePrincipal(id: string): ServicePrincipalEntry {
    const sp = this.directory.servicePrincipals.get(id);
    if (!sp) throw notFound('servicePrincipal', id);
    return sp;
  }

  servicePrincipalByAppId(appId: string): ServicePrincipalEntry | undefined {
    for (const sp of this.directory.servicePrincipals.values()) if (sp.appId === appId) return sp;
    return undefined;
  }

  /** `/applications/{id}/synchronization/…` addresses the app's service principal. */
  servicePrincipalOfApplication(applicationId: string): ServicePrincipalEntry {
    const app = this.application(applicationId);
    const sp = this.servicePrincipalByAppId(app.appId);
    if (!sp) throw notFound('servicePrincipal', app.appId);
    return sp;
  }

  // --- app role assignments -----------------------------------------------------------------
  applySeedAssignments(): void {
    if (this.seedAssignments.length === 0) return;
    for (const sp of this.directory.servicePrincipals.values()) {
      const roles = this.directory.appRolesOf(sp.id);
      const existing = this.directory.assignmentsOf(sp.id);
      for (const seed of this.seedAssignments) {
        const role = seed.appRoleValue === null ? null : roles.find((r) => r.value === seed.appRoleValue && r.isEnabled);
        if (seed.appRoleValue !== null && !role) continue;
        const roleId = role?.id ?? DEFAULT_ACCESS_ROLE_ID;
        const principal = this.directory.users.get(seed.principalId) ?? this.directory.groups.get(seed.principalId);
        if (!principal || principal.deletedDateTime) continue;
        if (existing.some((a) => a.principalId === seed.principalId && a.appRoleId === roleId)) continue;
        this.directory.assign(sp.id, seed.principalId, roleId);
      }
    }
  }

  assign(resourceId: string, body: unknown): AppRoleAssignment {
    this.servicePrincipal(resourceId);
    const b = (body ?? {}) as { principalId?: unknown; appRoleId?: unknown; resourceId?: unknown };
    if (typeof b.principalId !== 'string' || b.principalId === '') throw badRequest("An app role assignment needs 'principalId' (a user or group id).", 'Request_BadRequest');
    if (b.resourceId !== undefined && b.resourceId !== resourceId) throw badRequest(`'resourceId' must be the service principal id '${resourceId}'.`, 'Request_BadRequest');
    const principalId = b.principalId;
    const user = this.directory.users.get(principalId);
    const group = this.directory.groups.get(principalId);
    if ((!user || user.deletedDateTime) && (!group || group.deletedDateTime) && !this.directory.servicePrincipals.has(principalId)) throw notFound('principal', principalId);
    const roleId = typeof b.appRoleId === 'string' && b.appRoleId !== '' ? b.appRoleId : DEFAULT_ACCESS_ROLE_ID;
    if (roleId !== DEFAULT_ACCESS_ROLE_ID && !this.directory.appRolesOf(resourceId).some((r) => r.id === roleId && r.isEnabled)) {
      throw badRequest(`Permission being assigned was not found on application (appRoleId '${roleId}').`, 'Request_BadRequest');
    }
    const duplicate = this.directory.assignmentsOf(resourceId).some((a) => a.principalId === principalId && a.appRoleId === roleId);
    if (duplicate) throw badRequest('Permission being assigned already exists on the object', 'Request_BadRequest');
    return this.directory.assign(resourceId, principalId, roleId);
  }

  unassign(resourceId: string, assignmentId: string): void {
    const a = this.directory.assignments.get(assignmentId);
    if (!a || a.resourceId !== resourceId) throw notFound('appRoleAssignment', assignmentId);
    this.directory.unassign(assignmentId);
  }

  // --- JSON ---------------------------------------------------------------------------------
  applicationJson(app: ApplicationEntry): Record<string, unknown> {
    return { id: app.id, appId: app.appId, ...app.props, appRoles: app.appRoles };
  }

  servicePrincipalJson(sp: ServicePrincipalEntry): Record<string, unknown> {
    return { id: sp.id, appId: sp.appId, ...sp.props, appRoles: this.directory.appRolesOf(sp.id) };
  }
}
