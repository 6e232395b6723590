import * as pulumi from '@pulumi/pulumi';
import * as azuread from '@pulumi/azuread';
import * as random from '@pulumi/random';

/** Microsoft's "non-gallery" (custom) application template (graph-synchronization.md §1). */
export const NON_GALLERY_TEMPLATE_ID = '8adf8e6e-67b2-4cf2-a259-e3dc5476c621';
/** Synchronization template of every new custom SCIM app; `customappsso` is the legacy one. */
export const SCIM_JOB_TEMPLATE_ID = 'scim';

export interface EntraAppRoleInput {
  /** Fixed GUID from `provisioning/`; when absent a `random.RandomUuid` keyed by `value` supplies one. */
  readonly id?: string;
  readonly value: string;
  readonly displayName: string;
  readonly description: string;
  readonly allowedMemberTypes: readonly string[];
}

/** One Entra group and the app roles it gets; the key of the record names the logical resources. */
export interface GroupAssignmentInput {
  readonly objectId: string;
  readonly roles: readonly string[];
}

export interface EntraScimAppArgs {
  readonly displayName: string;
  /** Object ids of the owners (users or service principals), e.g. the deploying identity. */
  readonly owners: pulumi.Input<string[]>;
  readonly appRoles: readonly EntraAppRoleInput[];
  /** Keyed by a stable group key (e.g. `platform-admins`), never by position. */
  readonly groupAssignments: Readonly<Record<string, GroupAssignmentInput>>;
  /** `false` on a first deploy so no job runs against an endpoint that is not live yet. */
  readonly provisioningEnabled: boolean;
  /** The SCIM service's tenant URL, saved as the job's `BaseAddress`. */
  readonly tenantUrl: pulumi.Input<string>;
  /** Bearer token Entra sends to the SCIM service; stored as a Pulumi secret. */
  readonly scimToken: pulumi.Input<string>;
  /** Extra synchronization secrets (e.g. `SyncNotificationSettings`); values become secrets too. */
  readonly extraSecrets?: Readonly<Record<string, string>>;
}

/** Logical-name fragment: lower-case, safe characters only, stable for a given key. */
export function nameFragment(key: string): string {
  const slug = key
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (slug === '') throw new Error(`Cannot derive a resource name from key "${key}": use letters or digits.`);
  return slug;
}

/** Throws a message that says what to fix for duplicate roles, unknown roles or colliding names. */
export function validateEntraScimAppArgs(args: EntraScimAppArgs): void {
  const roleValues = new Set<string>();
  const userAssignable = new Set(args.appRoles.filter((r) => r.allowedMemberTypes.includes('User')).map((r) => r.value));
  const roleNames = new Map<string, string>();
  for (const role of args.appRoles) {
    if (roleValues.has(role.value)) throw new Error(`App role value "${role.value}" is defined twice.`);
    roleValues.add(role.value);
    const fragment = nameFragment(role.value);
    const clash = roleNames.get(fragment);
    if (clash !== undefined) throw new Error(`App roles "${clash}" and "${role.value}" map to the same resource name "${fragment}".`);
    roleNames.set(fragment, role.value);
  }
  const assignmentNames = new Map<string, string>();
  for (const [groupKey, group] of Object.entries(args.groupAssignments)) {
    for (const roleValue of group.roles) {
      if (!roleValues.has(roleValue)) {
        throw new Error(
          `Group "${groupKey}" is assigned app role "${roleValue}", which is not defined; known roles: ${[...roleValues].join(', ')}.`,
        );
      }
      if (!userAssignable.has(roleValue)) {
        throw new Error(
          `Group "${groupKey}" cannot be assigned app role "${roleValue}": its allowedMemberTypes lack "User" (groups and users need "User").`,
        );
      }
      const logical = `${nameFragment(groupKey)}-${nameFragment(roleValue)}`;
      const clash = assignmentNames.get(logical);
      if (clash !== undefined) {
        throw new Error(`Assignment "${groupKey}" → "${roleValue}" collides with ${clash} (same resource name "${logical}"); rename a group key.`);
      }
      assignmentNames.set(logical, `"${groupKey}" → "${roleValue}"`);
    }
  }
}

/**
 * The Entra side of SCIM provisioning: the enterprise app from the non-gallery template, its app
 * roles and group assignments, the provisioning job and the job's credentials.
 */
export class EntraScimApp extends pulumi.ComponentResource {
  readonly application: azuread.Application;
  readonly servicePrincipal: azuread.ServicePrincipal;
  readonly job: azuread.SynchronizationJob;
  readonly secret: azuread.SynchronizationSecret;
  readonly assignments: Readonly<Record<string, azuread.AppRoleAssignment>>;
  /** Application (client) id. */
  readonly applicationClientId: pulumi.Output<string>;
  /** Object id of the service principal (what Graph's `/servicePrincipals/{id}` takes). */
  readonly servicePrincipalObjectId: pulumi.Output<string>;
  /** The Graph job id (`scim.<tenant>.<appId>`), the last segment of the job's resource id. */
  readonly provisioningJobId: pulumi.Output<string>;
  /** App role value → role id, as sent in assignments. */
  readonly appRoleIds: Readonly<Record<string, pulumi.Output<string>>>;

  constructor(name: string, args: EntraScimAppArgs, opts?: pulumi.ComponentResourceOptions) {
    validateEntraScimAppArgs(args); // before anything is registered: no half-built component
    super('entra-scim:index:EntraScimApp', name, {}, opts);
    const parent = { parent: this };

    const roleIds: Record<string, pulumi.Output<string>> = {};
    for (const role of args.appRoles) {
      roleIds[role.value] = role.id
        ? pulumi.output(role.id)
        : new random.RandomUuid(`${name}-role-${nameFragment(role.value)}`, { keepers: { value: role.value } }, parent)
            .result;
    }
    this.appRoleIds = roleIds;

    const featureTags = [{ enterprise: true, customSingleSignOn: true }];
    this.application = new azuread.Application(
      `${name}-app`,
      {
        displayName: args.displayName,
        templateId: NON_GALLERY_TEMPLATE_ID,
        // The update path rewrites tags, so the template's tags are declared here as well.
        featureTags,
        owners: args.owners,
        appRoles: args.appRoles.map((role) => ({
          id: roleIds[role.value],
          value: role.value,
          displayName: role.displayName,
          description: role.description,
          allowedMemberTypes: [...role.allowedMemberTypes],
          enabled: true,
        })),
      },
      parent,
    );

    // Instantiating the template already created the service principal: adopt it.
    this.servicePrincipal = new azuread.ServicePrincipal(
      `${name}-sp`,
      {
        clientId: this.application.clientId,
        useExisting: true,
        appRoleAssignmentRequired: true,
        featureTags,
        owners: args.owners,
      },
      parent,
    );

    const assignments: Record<string, azuread.AppRoleAssignment> = {};
    for (const [groupKey, group] of Object.entries(args.groupAssignments)) {
      for (const roleValue of group.roles) {
        const logical = `${name}-assign-${nameFragment(groupKey)}-${nameFragment(roleValue)}`;
        assignments[logical] = new azuread.AppRoleAssignment(
          logical,
          { appRoleId: roleIds[roleValue], principalObjectId: group.objectId, resourceObjectId: this.servicePrincipal.objectId },
          parent,
        );
      }
    }
    this.assignments = assignments;

    // Synchronization resources take the resource id `/servicePrincipals/{objectId}`, not the object id.
    this.job = new azuread.SynchronizationJob(
      `${name}-job`,
      { servicePrincipalId: this.servicePrincipal.id, templateId: SCIM_JOB_TEMPLATE_ID, enabled: args.provisioningEnabled },
      parent,
    );

    const extra = Object.entries(args.extraSecrets ?? {}).map(([key, value]) => ({ key, value: pulumi.secret(value) }));
    this.secret = new azuread.SynchronizationSecret(
      `${name}-secret`,
      {
        servicePrincipalId: this.servicePrincipal.id,
        credentials: [
          { key: 'BaseAddress', value: args.tenantUrl },
          { key: 'SecretToken', value: pulumi.secret(args.scimToken) },
          ...extra,
        ],
      },
      { parent: this, dependsOn: [this.job] },
    );

    this.applicationClientId = this.application.clientId;
    this.servicePrincipalObjectId = this.servicePrincipal.objectId;
    this.provisioningJobId = this.job.id.apply((id) => id.split('/').pop() ?? id);

    this.registerOutputs({
      applicationClientId: this.applicationClientId,
      servicePrincipalObjectId: this.servicePrincipalObjectId,
      provisioningJobId: this.provisioningJobId,
    });
  }
}
