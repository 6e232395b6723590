/**
 * The Pulumi program: reads the stack configuration once, builds the SCIM service on Azure
 * Container Apps and the Entra enterprise app that provisions into it, and exports what the
 * scripts read (`pulumi stack output --json`, see docs/architecture.md).
 */
import * as pulumi from '@pulumi/pulumi';
import * as azuread from '@pulumi/azuread';
import * as authorization from '@pulumi/azure-native/authorization/index.js';
import { appRoles } from './provisioning/index.js';
import { EntraScimApp } from './components/entra-scim-app.js';
import { ScimService } from './components/scim-service.js';
import { readStackConfig, rejectUnknownKeys } from './components/stack-config.js';

rejectUnknownKeys(Object.keys(pulumi.runtime.allConfig()));
const projectConfig = new pulumi.Config(); // namespace entra-scim (Pulumi.yaml name)
const config = readStackConfig(projectConfig, projectConfig.get('location') ?? new pulumi.Config('azure-native').get('location'));
const stack = pulumi.getStack();
const azure = authorization.getClientConfigOutput();
const deployer = azuread.getClientConfigOutput();

const service = new ScimService(`scim-${stack}`, {
  location: config.location,
  tenantId: azure.tenantId,
  subscriptionId: azure.subscriptionId,
  image: config.image,
  registry: config.registry,
  scimTenant: config.scimTenant,
  logLevel: config.logLevel,
  minReplicas: config.minReplicas,
  maxReplicas: config.maxReplicas,
  concurrentRequests: config.concurrentRequests,
  cpu: config.cpu,
  memory: config.memory,
  logRetentionDays: config.logRetentionDays,
  keyVaultPurgeProtection: config.keyVaultPurgeProtection,
  ...(config.postgres ? { postgres: config.postgres } : {}),
  ...(config.deployerReadsSecrets ? { secretReaders: { deployer: azure.objectId } } : {}),
  tags: { ...config.tags, 'pulumi-stack': stack },
});

const entra = new EntraScimApp(`entra-${stack}`, {
  displayName: config.displayName,
  // The deploying identity stays an owner so Application.ReadWrite.OwnedBy keeps working.
  owners: deployer.objectId.apply((id) => [...new Set([id, ...config.owners])]),
  appRoles,
  groupAssignments: config.groupAssignments,
  provisioningEnabled: config.provisioningEnabled,
  tenantUrl: service.tenantUrl,
  scimToken: service.scimToken,
  ...(config.syncNotificationEmail
    ? {
        extraSecrets: {
          SyncNotificationSettings: JSON.stringify({
            Enabled: true,
            Recipients: config.syncNotificationEmail,
            DeleteThresholdEnabled: true,
            DeleteThresholdValue: 500,
          }),
        },
      }
    : {}),
});

export const tenantUrl = service.tenantUrl;
export const servicePrincipalObjectId = entra.servicePrincipalObjectId;
export const applicationClientId = entra.applicationClientId;
export const provisioningJobId = entra.provisioningJobId;
export const scimTokenSecretUri = service.scimTokenSecretUri;
export const containerAppFqdn = service.containerAppFqdn;
/** The image the service runs; CI passes it back as entra-scim:image so a PR preview shows no spurious image change. */
export const serviceImage = pulumi.output(config.image);
