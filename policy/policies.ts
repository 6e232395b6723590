/**
 * The entra-scim policy pack's policies, exported on their own so tests call them without
 * starting a policy server (policy/index.ts builds the PolicyPack from this list).
 *
 * Each policy is a pure check over a resource's type and input properties (`check`) wrapped as a
 * `ResourceValidationPolicy`. Unknown values during preview arrive as `undefined` and are not
 * reported; the same policy runs again with real values on `pulumi up`.
 */
import type { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from '@pulumi/policy';

/** What a check sees of one resource. */
export interface PolicyInput {
  readonly type: string;
  readonly props: Readonly<Record<string, unknown>>;
  /** Stack the resource belongs to (from its URN). */
  readonly stack: string;
}

export interface PolicyConfig {
  /** Stacks treated as production (default `["prod"]`). */
  readonly productionStacks?: readonly string[];
}

export interface EntraScimPolicy extends ResourceValidationPolicy {
  /** Violation messages for one resource (empty = compliant or not applicable). */
  check(input: PolicyInput, config?: PolicyConfig): string[];
}

type Props = Record<string, unknown>;

function record(v: unknown): Props | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Props) : undefined;
}
function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
/** `urn:pulumi:<stack>::<project>::<type>::<name>` → `<stack>`. */
export function stackFromUrn(urn: string): string {
  const match = /^urn:pulumi:([^:]+)::/.exec(urn);
  return match ? match[1] : '';
}
function isProduction(stack: string, config: PolicyConfig | undefined): boolean {
  return (config?.productionStacks ?? ['prod']).includes(stack);
}

function definePolicy(
  name: string,
  description: string,
  check: (input: PolicyInput, config?: PolicyConfig) => string[],
): EntraScimPolicy {
  return {
    name,
    description,
    enforcementLevel: 'mandatory',
    configSchema: {
      properties: { productionStacks: { type: 'array', items: { type: 'string' } } },
    },
    check,
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
      const input: PolicyInput = { type: args.type, props: args.props, stack: stackFromUrn(args.urn) };
      for (const message of check(input, args.getConfig<PolicyConfig>())) reportViolation(message);
    },
  };
}

export const noAcrAdminUser = definePolicy(
  'no-acr-admin-user',
  'Container registries must not enable the admin user; pulls use managed identities (AcrPull).',
  ({ type, props }) =>
    type === 'azure-native:containerregistry:Registry' && props.adminUserEnabled === true
      ? ['adminUserEnabled is true: disable the admin user and grant AcrPull to the pulling identity instead.']
      : [],
);

export const containerAppSecretsFromKeyVault = definePolicy(
  'container-app-secrets-from-key-vault',
  'Container App secrets must be Key Vault references read with a managed identity, never inline values.',
  ({ type, props }) => {
    if (type !== 'azure-native:app:ContainerApp') return [];
    const configuration = record(props.configuration);
    const messages: string[] = [];
    for (const secret of list(configuration?.secrets)) {
      const s = record(secret) ?? {};
      const name = String(s.name ?? '(unnamed)');
      if (s.value !== undefined) messages.push(`secret "${name}" has an inline value: store it in Key Vault and set keyVaultUrl + identity.`);
      else if (typeof s.keyVaultUrl === 'string' && !/^https:\/\/[^/]+\.vault\.azure\.net\/secrets\//.test(s.keyVaultUrl)) {
        messages.push(`secret "${name}" keyVaultUrl "${s.keyVaultUrl}" is not a Key Vault secret URI.`);
      }
      if (s.identity === undefined && s.keyVaultUrl !== undefined) messages.push(`secret "${name}" names no identity to read Key Vault with.`);
    }
    for (const registry of list(configuration?.registries)) {
      const r = record(registry) ?? {};
      if (r.passwordSecretRef !== undefined) {
        messages.push(`registry "${String(r.server)}" uses a password: pull with a managed identity (identity) instead.`);
      }
    }
    return messages;
  },
);

export const httpsOnly = definePolicy(
  'https-only',
  'Traffic is HTTPS only: Container App ingress refuses plain HTTP, Entra calls an https:// tenant URL, PostgreSQL requires TLS.',
  ({ type, props }) => {
    if (type === 'azure-native:app:ContainerApp') {
      const ingress = record(record(props.configuration)?.ingress);
      return ingress?.allowInsecure === true ? ['ingress.allowInsecure is true: set it to false (HTTP is redirected to HTTPS).'] : [];
    }
    if (type === 'azuread:index/synchronizationSecret:SynchronizationSecret') {
      const base = list(props.credentials).map(record).find((c) => c?.key === 'BaseAddress');
      const url = base?.value;
      return typeof url === 'string' && !url.startsWith('https://') ? [`BaseAddress "${url}" is not https://: Entra must send the token over TLS.`] : [];
    }
    if (type === 'azure-native:dbforpostgresql:Configuration') {
      return props.configurationName === 'require_secure_transport' && String(props.value).toLowerCase() === 'off'
        ? ['require_secure_transport is off: PostgreSQL connections must use TLS.']
        : [];
    }
    return [];
  },
);

export const minReplicasInProduction = definePolicy(
  'min-replicas-in-production',
  'In production the SCIM service keeps at least one replica running (Entra calls it at any time; scale-to-zero makes calls time out).',
  ({ type, props, stack }, config) => {
    if (type !== 'azure-native:app:ContainerApp' || !isProduction(stack, config)) return [];
    const scale = record(record(props.template)?.scale);
    const min = scale?.minReplicas; // absent means Azure's default, 0
    return typeof min === 'number' && min >= 1 ? [] : [`template.scale.minReplicas is ${String(min)}: set it to 1 or more in production.`];
  },
);

export const provisioningJobTemplateScim = definePolicy(
  'provisioning-job-template-scim',
  'Provisioning jobs of the custom SCIM app use the "scim" template (customappsso is the legacy, non-compliant behaviour).',
  ({ type, props }) =>
    type === 'azuread:index/synchronizationJob:SynchronizationJob' && props.templateId !== undefined && props.templateId !== 'scim'
      ? [`templateId is "${String(props.templateId)}": use "scim".`]
      : [],
);

export const appRoleAssignmentRequired = definePolicy(
  'app-role-assignment-required',
  'The enterprise app requires assignment, so only assigned groups are provisioned and can sign in.',
  ({ type, props }) =>
    type === 'azuread:index/servicePrincipal:ServicePrincipal' && props.appRoleAssignmentRequired !== true
      ? ['appRoleAssignmentRequired is not true: set it so only assigned users and groups get access.']
      : [],
);

export const postgresPasswordAuthOffInProduction = definePolicy(
  'postgres-password-auth-off-in-production',
  'In production PostgreSQL accepts Microsoft Entra authentication only (no passwords).',
  ({ type, props, stack }, config) => {
    if (type !== 'azure-native:dbforpostgresql:Server' || !isProduction(stack, config)) return [];
    const auth = record(props.authConfig);
    const messages: string[] = [];
    if (auth?.passwordAuth !== 'Disabled') messages.push(`authConfig.passwordAuth is ${JSON.stringify(auth?.passwordAuth)}: set it to "Disabled".`);
    if (auth?.activeDirectoryAuth !== 'Enabled') messages.push('authConfig.activeDirectoryAuth must be "Enabled" when passwords are off.');
    if (props.administratorLoginPassword !== undefined) messages.push('administratorLoginPassword is set: remove it.');
    return messages;
  },
);

export const policies: readonly EntraScimPolicy[] = [
  noAcrAdminUser,
  containerAppSecretsFromKeyVault,
  httpsOnly,
  minReplicasInProduction,
  provisioningJobTemplateScim,
  appRoleAssignmentRequired,
  postgresPasswordAuthOffInProduction,
];
