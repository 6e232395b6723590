import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import * as resources from '@pulumi/azure-native/resources/index.js';
import * as operationalinsights from '@pulumi/azure-native/operationalinsights/index.js';
import * as app from '@pulumi/azure-native/app/index.js';
import * as managedidentity from '@pulumi/azure-native/managedidentity/index.js';
import * as keyvault from '@pulumi/azure-native/keyvault/index.js';
import * as authorization from '@pulumi/azure-native/authorization/index.js';
import * as dbforpostgresql from '@pulumi/azure-native/dbforpostgresql/index.js';
import type { app as appInputs } from '@pulumi/azure-native/types/input.js';

/** Built-in Azure role definition ids (same GUID in every tenant). */
export const ROLE_ACR_PULL = '7f951dda-4ed3-4680-a7ca-43fe172d538d';
export const ROLE_KEY_VAULT_SECRETS_USER = '4633458b-17de-408a-b874-0445c86b69e6';

/** Port the service listens on inside the container (`PORT`). */
export const SERVICE_PORT = 8080;
export const TOKEN_SECRET_NAME = 'scim-token';
export const DATABASE_URL_SECRET_NAME = 'database-url';
export const DATABASE_NAME = 'scim';

export interface PostgresArgs {
  /** e.g. `Standard_B1ms` / `Burstable`, `Standard_D2ds_v5` / `GeneralPurpose`. */
  readonly skuName: string;
  readonly skuTier: 'Burstable' | 'GeneralPurpose' | 'MemoryOptimized';
  readonly storageSizeGb: number;
  readonly version: string;
  /**
   * `password`: an admin login with a generated password; DATABASE_URL carries it.
   * `entra`: password authentication off; the app's managed identity is the Entra administrator and
   * DATABASE_URL names it without a password and with `auth=entra`: the service presents the identity's Entra token.
   */
  readonly authentication: 'password' | 'entra';
  readonly backupRetentionDays: number;
}

export interface ScimServiceArgs {
  /** Azure region, e.g. `westeurope`. */
  readonly location: string;
  /** Entra tenant of the Key Vault and the PostgreSQL Entra administrator. */
  readonly tenantId: pulumi.Input<string>;
  /** Subscription holding the role definitions. */
  readonly subscriptionId: pulumi.Input<string>;
  /** Image by digest, e.g. `myacr.azurecr.io/entra-scim@sha256:…` (built and pushed by CI). */
  readonly image: string;
  /** The existing container registry: login server and ARM resource id (scope of AcrPull). */
  readonly registry: { readonly server: string; readonly resourceId: string };
  /** SCIM tenant the service bootstraps (`SCIM_TENANT`); the tenant URL ends in `/scim/<tenant>`. */
  readonly scimTenant: string;
  readonly logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** HTTP scale rule: concurrent requests per replica before scaling out. */
  readonly concurrentRequests: number;
  readonly cpu: number;
  readonly memory: string;
  readonly logRetentionDays: number;
  /** Purge protection on the Key Vault (cannot be turned off again once on). */
  readonly keyVaultPurgeProtection: boolean;
  /** Required when maxReplicas > 1 (replicas need shared state); ignored otherwise. */
  readonly postgres?: PostgresArgs;
  /**
   * Principals that may read the vault's secrets besides the service, keyed for stable resource
   * names (e.g. `deployer`, so CI's verify-provisioning can read the token by its URI).
   */
  readonly secretReaders?: Readonly<Record<string, pulumi.Input<string>>>;
  readonly tags?: Readonly<Record<string, string>>;
}

const DIGEST_IMAGE = /^[a-z0-9.-]+(:[0-9]+)?\/[a-z0-9._/-]+@sha256:[0-9a-f]{64}$/;

/** Throws a message that says what to fix, before any resource is registered. */
export function validateScimServiceArgs(args: ScimServiceArgs): void {
  if (!DIGEST_IMAGE.test(args.image)) {
    throw new Error(`image must be pinned by digest (<registry>/<repository>@sha256:<64 hex>), got "${args.image}".`);
  }
  if (!args.image.startsWith(`${args.registry.server}/`)) {
    throw new Error(`image "${args.image}" is not in registry "${args.registry.server}" (the identity can only pull from there).`);
  }
  if (!Number.isInteger(args.minReplicas) || args.minReplicas < 1) {
    throw new Error(`minReplicas must be an integer >= 1 (Entra calls the service at any time), got ${args.minReplicas}.`);
  }
  if (!Number.isInteger(args.maxReplicas) || args.maxReplicas < args.minReplicas) {
    throw new Error(`maxReplicas must be an integer >= minReplicas (${args.minReplicas}), got ${args.maxReplicas}.`);
  }
  if (args.maxReplicas > 1 && args.postgres === undefined) {
    throw new Error(`maxReplicas ${args.maxReplicas} needs shared state: set the "postgres" stack config (or maxReplicas: 1).`);
  }
  for (const key of Object.keys(args.secretReaders ?? {})) {
    if (!/^[a-z0-9-]{1,40}$/.test(key)) throw new Error(`secretReaders key "${key}" must be 1-40 lower-case letters, digits or "-".`);
  }
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(args.scimTenant)) {
    throw new Error(`scimTenant must be 1-64 letters, digits, "-" or "_", got "${args.scimTenant}".`);
  }
}

/**
 * The bundled SCIM service on Azure Container Apps, with its identity, Key Vault, logs and (for more
 * than one replica) PostgreSQL.
 */
export class ScimService extends pulumi.ComponentResource {
  readonly resourceGroup: resources.ResourceGroup;
  readonly identity: managedidentity.UserAssignedIdentity;
  readonly vault: keyvault.Vault;
  readonly tokenSecret: keyvault.Secret;
  readonly containerApp: app.ContainerApp;
  readonly postgresServer?: dbforpostgresql.Server;
  /** Bearer token Entra presents; a Pulumi secret. */
  readonly scimToken: pulumi.Output<string>;
  /** Versionless Key Vault URI of the token (the Container App follows rotations). */
  readonly scimTokenSecretUri: pulumi.Output<string>;
  readonly containerAppFqdn: pulumi.Output<string>;
  /** The URL Entra saves as `BaseAddress`: `https://<fqdn>/scim/<tenant>`. */
  readonly tenantUrl: pulumi.Output<string>;

  constructor(name: string, args: ScimServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    validateScimServiceArgs(args);
    super('entra-scim:index:ScimService', name, {}, opts);
    const parent = { parent: this };
    const tags = { ...(args.tags ?? {}), 'entra-scim:component': name };
    const roleDefinition = (guid: string) =>
      pulumi.interpolate`/subscriptions/${args.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;

    this.resourceGroup = new resources.ResourceGroup(`${name}-rg`, { location: args.location, tags }, parent);
    const resourceGroupName = this.resourceGroup.name;

    const workspace = new operationalinsights.Workspace(
      `${name}-logs`,
      { resourceGroupName, location: args.location, sku: { name: 'PerGB2018' }, retentionInDays: args.logRetentionDays, tags },
      parent,
    );
    const sharedKeys = operationalinsights.getWorkspaceSharedKeysOutput(
      { resourceGroupName, workspaceName: workspace.name },
      parent,
    );
    const environment = new app.ManagedEnvironment(
      `${name}-env`,
      {
        resourceGroupName,
        location: args.location,
        appLogsConfiguration: {
          destination: 'log-analytics',
          logAnalyticsConfiguration: {
            customerId: workspace.customerId,
            sharedKey: pulumi.secret(sharedKeys.apply((k) => k.primarySharedKey ?? '')),
          },
        },
        tags,
      },
      parent,
    );

    this.identity = new managedidentity.UserAssignedIdentity(`${name}-id`, { resourceGroupName, location: args.location, tags }, parent);
    const principal = { principalId: this.identity.principalId, principalType: 'ServicePrincipal' } as const;

    // Granted before the Container App exists: its first revision pulls the image with this identity.
    const acrPull = new authorization.RoleAssignment(
      `${name}-acr-pull`,
      { ...principal, scope: args.registry.resourceId, roleDefinitionId: roleDefinition(ROLE_ACR_PULL), description: 'SCIM service pulls its image' },
      parent,
    );

    // Vault names are global, 3-24 characters: autonaming (name + 8 random characters) overflows for long
    // stack names, so the name is built from a short prefix and a stable random suffix.
    const vaultSuffix = new random.RandomString(`${name}-kv-suffix`, { length: 6, special: false, upper: false }, parent);
    const vaultPrefix = name.toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 13) || 'scim';
    this.vault = new keyvault.Vault(
      `${name}-kv`,
      {
        vaultName: pulumi.interpolate`kv-${vaultPrefix}-${vaultSuffix.result}`,
        resourceGroupName,
        location: args.location,
        properties: {
          tenantId: args.tenantId,
          sku: { family: 'A', name: 'standard' },
          enableRbacAuthorization: true,
          enableSoftDelete: true,
          softDeleteRetentionInDays: 90,
          ...(args.keyVaultPurgeProtection ? { enablePurgeProtection: true } : {}),
        },
        tags,
      },
      parent,
    );
    const secretsUser = new authorization.RoleAssignment(
      `${name}-kv-secrets-user`,
      { ...principal, scope: this.vault.id, roleDefinitionId: roleDefinition(ROLE_KEY_VAULT_SECRETS_USER), description: 'SCIM service reads its secrets' },
      parent,
    );

    for (const [key, principalId] of Object.entries(args.secretReaders ?? {})) {
      new authorization.RoleAssignment(
        `${name}-kv-reader-${key}`,
        { principalId, scope: this.vault.id, roleDefinitionId: roleDefinition(ROLE_KEY_VAULT_SECRETS_USER), description: `${key} reads the SCIM token` },
        parent,
      );
    }

    const token = new random.RandomPassword(`${name}-token`, { length: 64, special: false, minUpper: 4, minLower: 4, minNumeric: 4 }, parent);
    this.scimToken = pulumi.secret(token.result);
    this.tokenSecret = new keyvault.Secret(
      `${name}-token`,
      {
        resourceGroupName,
        vaultName: this.vault.name,
        secretName: TOKEN_SECRET_NAME,
        properties: { value: this.scimToken, contentType: 'text/plain; SCIM bearer token' },
      },
      parent,
    );

    const appSecrets: appInputs.SecretArgs[] = [
      { name: TOKEN_SECRET_NAME, keyVaultUrl: this.tokenSecret.properties.secretUri, identity: this.identity.id },
    ];
    const env: appInputs.EnvironmentVarArgs[] = [
      { name: 'PORT', value: String(SERVICE_PORT) },
      { name: 'HOST', value: '0.0.0.0' },
      { name: 'LOG_LEVEL', value: args.logLevel },
      { name: 'SCIM_TENANT', value: args.scimTenant },
      { name: 'SCIM_TOKEN', secretRef: TOKEN_SECRET_NAME },
      // Lets DefaultAzureCredential in the container pick the user-assigned identity.
      { name: 'AZURE_CLIENT_ID', value: this.identity.clientId },
    ];
    const dependsOn: pulumi.Resource[] = [acrPull, secretsUser];

    if (args.maxReplicas > 1 && args.postgres !== undefined) {
      const pg = this.createPostgres(name, args, args.postgres, resourceGroupName, tags);
      this.postgresServer = pg.server;
      appSecrets.push({ name: DATABASE_URL_SECRET_NAME, keyVaultUrl: pg.urlSecret.properties.secretUri, identity: this.identity.id });
      env.push({ name: 'DATABASE_URL', secretRef: DATABASE_URL_SECRET_NAME });
      dependsOn.push(...pg.dependsOn);
    } else {
      // One replica: SQLite inside the container (state is lost with the replica; see docs/deploy.md).
      env.push({ name: 'SCIM_SQLITE_PATH', value: '/tmp/scim.db' });
    }

    const probe = (type: 'Liveness' | 'Readiness' | 'Startup', path: string, extra: Partial<appInputs.ContainerAppProbeArgs>) => ({
      type,
      httpGet: { path, port: SERVICE_PORT, scheme: 'HTTP' },
      ...extra,
    });

    this.containerApp = new app.ContainerApp(
      `${name}-app`,
      {
        resourceGroupName,
        location: args.location,
        managedEnvironmentId: environment.id,
        identity: { type: 'UserAssigned', userAssignedIdentities: [this.identity.id] },
        configuration: {
          activeRevisionsMode: 'Single',
          ingress: { external: true, targetPort: SERVICE_PORT, allowInsecure: false, transport: 'auto' },
          registries: [{ server: args.registry.server, identity: this.identity.id }],
          secrets: appSecrets,
        },
        template: {
          containers: [
            {
              name: 'scim',
              image: args.image,
              env,
              resources: { cpu: args.cpu, memory: args.memory },
              probes: [
                probe('Startup', '/healthz', { periodSeconds: 2, failureThreshold: 30, timeoutSeconds: 2 }),
                probe('Liveness', '/healthz', { periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 3 }),
                probe('Readiness', '/readyz', { periodSeconds: 5, failureThreshold: 3, timeoutSeconds: 3 }),
              ],
            },
          ],
          scale: {
            minReplicas: args.minReplicas,
            maxReplicas: args.maxReplicas,
            rules: [{ name: 'http-concurrency', http: { metadata: { concurrentRequests: String(args.concurrentRequests) } } }],
          },
        },
        tags,
      },
      { parent: this, dependsOn },
    );

    this.containerAppFqdn = this.containerApp.configuration.apply((c) => {
      const fqdn = c?.ingress?.fqdn;
      if (!fqdn) throw new Error('The Container App has no ingress FQDN; check that ingress is enabled.');
      return fqdn;
    });
    this.tenantUrl = pulumi.interpolate`https://${this.containerAppFqdn}/scim/${args.scimTenant}`;
    this.scimTokenSecretUri = this.tokenSecret.properties.secretUri;

    this.registerOutputs({
      tenantUrl: this.tenantUrl,
      containerAppFqdn: this.containerAppFqdn,
      scimTokenSecretUri: this.scimTokenSecretUri,
    });
  }

  private createPostgres(
    name: string,
    args: ScimServiceArgs,
    pg: PostgresArgs,
    resourceGroupName: pulumi.Output<string>,
    tags: Record<string, string>,
  ): { server: dbforpostgresql.Server; urlSecret: keyvault.Secret; dependsOn: pulumi.Resource[] } {
    const parent = { parent: this };
    const usePassword = pg.authentication === 'password';
    const adminLogin = 'scimadmin';
    const password = usePassword
      ? new random.RandomPassword(`${name}-pg-admin`, { length: 40, special: false, minUpper: 4, minLower: 4, minNumeric: 4 }, parent)
      : undefined;

    const server = new dbforpostgresql.Server(
      `${name}-pg`,
      {
        resourceGroupName,
        location: args.location,
        version: pg.version,
        sku: { name: pg.skuName, tier: pg.skuTier },
        storage: { storageSizeGB: pg.storageSizeGb, autoGrow: 'Enabled' },
        backup: { backupRetentionDays: pg.backupRetentionDays, geoRedundantBackup: 'Disabled' },
        authConfig: {
          activeDirectoryAuth: 'Enabled',
          passwordAuth: usePassword ? 'Enabled' : 'Disabled',
          tenantId: args.tenantId,
        },
        ...(password ? { administratorLogin: adminLogin, administratorLoginPassword: pulumi.secret(password.result) } : {}),
        network: { publicNetworkAccess: 'Enabled' },
        tags,
      },
      parent,
    );
    const serverName = server.name;
    const tls = new dbforpostgresql.Configuration(
      `${name}-pg-require-tls`,
      { resourceGroupName, serverName, configurationName: 'require_secure_transport', value: 'on', source: 'user-override' },
      parent,
    );
    // 0.0.0.0–0.0.0.0 is Azure's "allow Azure services" rule (Container Apps egress has no fixed IP here).
    const firewall = new dbforpostgresql.FirewallRule(
      `${name}-pg-allow-azure`,
      { resourceGroupName, serverName, firewallRuleName: 'AllowAllAzureServicesAndResourcesWithinAzureIps', startIpAddress: '0.0.0.0', endIpAddress: '0.0.0.0' },
      parent,
    );
    const database = new dbforpostgresql.Database(
      `${name}-pg-db`,
      { resourceGroupName, serverName, databaseName: DATABASE_NAME, charset: 'UTF8', collation: 'en_US.utf8' },
      parent,
    );
    const dependsOn: pulumi.Resource[] = [tls, firewall, database];

    let url: pulumi.Output<string>;
    if (password) {
      url = pulumi.interpolate`postgres://${adminLogin}:${password.result.apply(encodeURIComponent)}@${server.fullyQualifiedDomainName}:5432/${DATABASE_NAME}?sslmode=require`;
    } else {
      const admin = new dbforpostgresql.Administrator(
        `${name}-pg-entra-admin`,
        {
          resourceGroupName,
          serverName,
          objectId: this.identity.principalId,
          principalName: this.identity.name,
          principalType: 'ServicePrincipal',
          tenantId: args.tenantId,
        },
        { parent: this, dependsOn: [server] },
      );
      dependsOn.push(admin);
      url = pulumi.interpolate`postgres://${this.identity.name.apply(encodeURIComponent)}@${server.fullyQualifiedDomainName}:5432/${DATABASE_NAME}?sslmode=require&auth=entra`;
    }
    const urlSecret = new keyvault.Secret(
      `${name}-database-url`,
      {
        resourceGroupName,
        vaultName: this.vault.name,
        secretName: DATABASE_URL_SECRET_NAME,
        properties: { value: pulumi.secret(url), contentType: 'text/plain; PostgreSQL connection URL' },
      },
      parent,
    );
    return { server, urlSecret, dependsOn };
  }
}
