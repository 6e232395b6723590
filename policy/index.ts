/**
 * The entra-scim policy pack: `pulumi preview --policy-pack policy` (see docs/deploy.md).
 * Constructing the PolicyPack serves it to the Pulumi engine, so tests import ./policies.js instead.
 */
import { PolicyPack } from '@pulumi/policy';
import { policies } from './policies.js';

new PolicyPack('entra-scim', {
  description: 'Security and correctness rules for the Entra SCIM enterprise app and its service on Azure Container Apps.',
  enforcementLevel: 'mandatory',
  policies: [...policies],
});
