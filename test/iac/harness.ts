/**
 * Pulumi mocks for the IaC tests. `installMocks()` must run BEFORE the program or component module is
 * imported (each test file does `await import(...)` afterwards); vitest isolates files, so every file
 * gets a fresh Pulumi runtime.
 *
 * The mock provider echoes inputs as state and fills in outputs in the formats the real providers
 * return (azuread resource ids `/servicePrincipals/{objectId}`, job ids `scim.<tenant>.<appId>`,
 * ARM ids `/subscriptions/...`), so id-format assertions exercise the component's wiring.
 */
import { createHash } from 'node:crypto';
import * as pulumi from '@pulumi/pulumi';

const { specialSigKey, specialSecretSig } = pulumi.runtime;

export const TENANT_ID = '11111111-2222-3333-4444-555555555555';
/** What the mocked Log Analytics shared-key lookup returns; must only appear secret-wrapped. */
export const MOCK_SHARED_KEY = 'mock-log-analytics-shared-key';
export const SUBSCRIPTION_ID = '99999999-8888-7777-6666-555555555555';

export interface CapturedResource {
  readonly type: string;
  readonly name: string;
  /** Inputs as the engine receives them; secrets are wrapped `{ [sig]: secretSig, value }`. */
  readonly inputs: Record<string, unknown>;
  readonly id: string;
  readonly state: Record<string, unknown>;
}

/** Deterministic GUID from a seed, so repeated runs (and repeated `pulumi up`s) agree. */
export function guidFrom(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The value every `random.RandomPassword` named `name` resolves to in the mocks. */
export function mockPassword(name: string): string {
  return `pw-${createHash('sha256').update(name).digest('hex').slice(0, 40)}`;
}

export function isSecretWrapper(value: unknown): value is { value: unknown } {
  return typeof value === 'object' && value !== null && (value as Record<string, unknown>)[specialSigKey] === specialSecretSig;
}

/** Removes secret wrappers, for assertions on values. */
export function unwrap(value: unknown): unknown {
  if (isSecretWrapper(value)) return unwrap(value.value);
  if (Array.isArray(value)) return value.map(unwrap);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrap(v)]));
  }
  return value;
}

/** Every place a plain (not secret-wrapped) string containing `needle` occurs, as JSON paths. */
export function plainOccurrences(value: unknown, needle: string, path = '$'): string[] {
  if (isSecretWrapper(value)) return [];
  if (typeof value === 'string') return value.includes(needle) ? [path] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => plainOccurrences(v, needle, `${path}[${i}]`));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => plainOccurrences(v, needle, `${path}.${k}`));
  }
  return [];
}

/** `{ ...value, ...fields }`, keeping a secret wrapper around the result when `value` was secret. */
function withFields(value: unknown, fields: Record<string, unknown>): unknown {
  if (isSecretWrapper(value)) return { [specialSigKey]: specialSecretSig, value: withFields(value.value, fields) };
  return { ...(typeof value === 'object' && value !== null ? value : {}), ...fields };
}

function armId(type: string, name: string, inputs: Record<string, unknown>): string {
  const [, module, resource] = type.split(':');
  const rg = typeof inputs.resourceGroupName === 'string' ? inputs.resourceGroupName : 'rg';
  return `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/${rg}/providers/Microsoft.${module}/${resource}/${name}`;
}

function outputsFor(type: string, name: string, inputs: Record<string, unknown>): { id: string; state: Record<string, unknown> } {
  const plain = unwrap(inputs) as Record<string, unknown>;
  switch (type) {
    case 'random:index/randomUuid:RandomUuid':
      return { id: guidFrom(name), state: { ...inputs, result: guidFrom(name) } };
    case 'random:index/randomString:RandomString': {
      const length = Number(plain.length ?? 8);
      return { id: 'none', state: { ...inputs, result: createHash('sha256').update(name).digest('hex').replace(/[^a-z]/g, '').padEnd(length, 'x').slice(0, length) } };
    }
    case 'random:index/randomPassword:RandomPassword':
      return { id: 'none', state: { ...inputs, result: mockPassword(name) } };
    case 'azuread:index/application:Application': {
      const objectId = guidFrom(`${name}-object`);
      return { id: `/applications/${objectId}`, state: { ...inputs, objectId, clientId: guidFrom(`${name}-client`) } };
    }
    case 'azuread:index/servicePrincipal:ServicePrincipal': {
      const objectId = guidFrom(`${name}-object`);
      return { id: `/servicePrincipals/${objectId}`, state: { ...inputs, objectId } };
    }
    case 'azuread:index/synchronizationJob:SynchronizationJob': {
      const sp = String(plain.servicePrincipalId);
      const jobId = `${String(plain.templateId)}.${TENANT_ID.replace(/-/g, '')}.${guidFrom(`${name}-app`)}`;
      return { id: `${sp}/synchronization/jobs/${jobId}`, state: { ...inputs } };
    }
    case 'azuread:index/appRoleAssignment:AppRoleAssignment':
      return { id: `/servicePrincipals/${String(plain.resourceObjectId)}/appRoleAssignedTo/${name}`, state: { ...inputs } };
    case 'azuread:index/synchronizationSecret:SynchronizationSecret':
      return { id: `${String(plain.servicePrincipalId)}/synchronization/secrets`, state: { ...inputs } };
    case 'azure-native:managedidentity:UserAssignedIdentity':
      return {
        id: armId(type, name, plain),
        state: { ...inputs, name, principalId: guidFrom(`${name}-principal`), clientId: guidFrom(`${name}-client`), tenantId: TENANT_ID },
      };
    case 'azure-native:keyvault:Secret': {
      const vault = String(plain.vaultName);
      const secretName = String(plain.secretName ?? name);
      return {
        id: armId(type, name, plain),
        state: {
          ...inputs,
          name: secretName,
          // Like Azure, the state carries the URIs but not the secret value.
          properties: {
            secretUri: `https://${vault}.vault.azure.net/secrets/${secretName}`,
            secretUriWithVersion: `https://${vault}.vault.azure.net/secrets/${secretName}/0123456789abcdef`,
          },
        },
      };
    }
    case 'azure-native:keyvault:Vault':
      return {
        id: armId(type, name, plain),
        state: { ...inputs, name: String(plain.vaultName ?? name), properties: withFields(inputs.properties, { vaultUri: `https://${String(plain.vaultName ?? name)}.vault.azure.net/` }) },
      };
    case 'azure-native:app:ContainerApp': {
      const appName = String(plain.containerAppName ?? name);
      const ingress = (plain.configuration as { ingress?: object } | undefined)?.ingress;
      const fqdn = `${appName}.mock-env.westeurope.azurecontainerapps.io`;
      return {
        id: armId(type, name, plain),
        state: { ...inputs, name: appName, configuration: withFields(inputs.configuration, { ingress: { ...ingress, fqdn } }) },
      };
    }
    case 'azure-native:dbforpostgresql:Server': {
      const serverName = String(plain.serverName ?? name);
      return { id: armId(type, name, plain), state: { ...inputs, name: serverName, fullyQualifiedDomainName: `${serverName}.postgres.database.azure.com` } };
    }
    case 'azure-native:operationalinsights:Workspace':
      return { id: armId(type, name, plain), state: { ...inputs, name, customerId: guidFrom(`${name}-customer`) } };
    default:
      return { id: type.startsWith('azure-native:') ? armId(type, name, plain) : `${name}-id`, state: { ...inputs, name: plain.name ?? name } };
  }
}

export interface MockOptions {
  readonly stack?: string;
  readonly project?: string;
  /** Stack config, keys without the project prefix (`displayName`) or with it (`azure-native:location`). */
  readonly config?: Record<string, unknown>;
  readonly preview?: boolean;
}

/** Installs the mocks and returns the list every registered resource is appended to. */
export function installMocks(options: MockOptions = {}): CapturedResource[] {
  const project = options.project ?? 'entra-scim';
  const captured: CapturedResource[] = [];
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.config ?? {})) {
    config[key.includes(':') ? key : `${project}:${key}`] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  pulumi.runtime.setAllConfig(config);
  pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs) {
        const { id, state } = outputsFor(args.type, args.name, args.inputs as Record<string, unknown>);
        captured.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown>, id, state });
        return { id, state };
      },
      call(args: pulumi.runtime.MockCallArgs) {
        if (args.token === 'azuread:index/getClientConfig:getClientConfig') {
          return { objectId: guidFrom('deployer'), tenantId: TENANT_ID, clientId: guidFrom('deployer-client') };
        }
        if (args.token === 'azure-native:authorization:getClientConfig') {
          return { objectId: guidFrom('deployer'), tenantId: TENANT_ID, clientId: guidFrom('deployer-client'), subscriptionId: SUBSCRIPTION_ID };
        }
        if (args.token === 'azure-native:operationalinsights:getWorkspaceSharedKeys') {
          return { primarySharedKey: MOCK_SHARED_KEY, secondarySharedKey: `${MOCK_SHARED_KEY}-2` };
        }
        return args.inputs;
      },
    },
    project,
    options.stack ?? 'test',
    options.preview ?? false,
  );
  return captured;
}

/** Resolves an Output to its value and secretness (outputs of mocks always resolve). */
export async function resolve<T>(output: pulumi.Output<T>): Promise<{ value: T; secret: boolean }> {
  const value = await new Promise<T>((done) => output.apply((v) => done(v)));
  const secret = await pulumi.isSecret(output);
  return { value, secret };
}

/**
 * Waits until every pending resource registration has reached the mock monitor: the runtime's own RPC
 * queue (`waitForRPCs`, exported by @pulumi/pulumi's runtime but not typed), so no timing guess.
 */
export async function settle(): Promise<void> {
  const runtime = pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> };
  if (typeof runtime.waitForRPCs !== 'function') throw new Error('@pulumi/pulumi no longer exports runtime.waitForRPCs; update test/iac/harness.ts');
  await runtime.waitForRPCs();
}
