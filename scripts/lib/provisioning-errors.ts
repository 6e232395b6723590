// Provisioning-log error codes with their cause and fix. Codes: reference graph-synchronization.md
// §3.11 (the error codes Microsoft documents for provisioning logs) and §3.6 (job-level codes);
// causes and fixes paraphrase Microsoft's "analyze provisioning logs" troubleshooting table.

export interface ErrorAdvice {
  cause: string;
  fix: string;
}

const table: Record<string, ErrorAdvice> = {
  Conflict: {
    cause: 'The SCIM service reported that the object already exists (HTTP 409), usually a user created outside Entra with the same userName.',
    fix: 'Make the matching attribute (userName / externalId) match the existing object, or delete the duplicate in the app, then retry.',
  },
  EntryConflict: {
    cause: 'An object in the app matches the Entra object on the matching attribute but is linked to another Entra object.',
    fix: 'Fix the duplicate in the app or change the matching attribute so each Entra object matches exactly one app object.',
  },
  TooManyRequests: {
    cause: 'The SCIM service throttled Entra (HTTP 429).',
    fix: 'Nothing, usually: Entra retries in the next cycle. Raise the service rate limit (SCIM_RATE_LIMIT_PER_MINUTE) if it persists.',
  },
  InternalServerError: {
    cause: 'The SCIM service answered HTTP 500.',
    fix: 'Check the SCIM service logs for the request; Entra retries the object in the next cycle.',
  },
  InsufficientRights: {
    cause: 'The SCIM service refused the operation (HTTP 403): the token lacks rights for it.',
    fix: 'Give the token used by Entra rights to create, update and delete users and groups, then retry.',
  },
  MethodNotAllowed: {
    cause: 'The SCIM service does not accept the HTTP method Entra used (HTTP 405), e.g. PATCH on /Groups.',
    fix: 'The app must support PATCH for users and groups; check the SCIM service version.',
  },
  NotPermitted: {
    cause: 'The SCIM service refused the operation as not permitted.',
    fix: 'Check the token\'s permissions in the app and the app\'s own policies for the attribute involved.',
  },
  Unauthorized: {
    cause: 'The SCIM service rejected the token (HTTP 401).',
    fix: 'Rotate or correct the secret token: npm run configure-provisioning -- --tenant-url … --token-file …',
  },
  UnprocessableEntity: {
    cause: 'The SCIM service could not process the request body (HTTP 422).',
    fix: 'Check the attribute values in the log record against what the app accepts; adjust the mapping.',
  },
  WebExceptionProtocolError: {
    cause: 'An HTTP protocol error talking to the SCIM service (it answered with an error status Entra could not map).',
    fix: 'Look at the status in the log details and the SCIM service logs for the same time.',
  },
  InvalidAnchor: {
    cause: 'An object Entra created or matched earlier is gone from the app (its id no longer resolves).',
    fix: 'Restart the job with resetScope Full, or remove the stale link by deleting and re-provisioning the object.',
  },
  NotImplemented: {
    cause: 'The SCIM service does not implement an operation Entra needs (HTTP 501).',
    fix: 'Check which endpoint failed in the log details; the app must implement it.',
  },
  MandatoryFieldsMissing: {
    cause: 'A required target attribute has no value (for example userName, or the matching attribute is empty on the source object).',
    fix: 'Give the source object a value or add a mapping / default for the required attribute.',
  },
  MissingValues: {
    cause: 'A required target attribute has no value.',
    fix: 'Give the source object a value or add a default value to the mapping.',
  },
  SchemaAttributeNotFound: {
    cause: 'A mapping targets an attribute the SCIM service does not know.',
    fix: 'Remove the mapping or add the attribute to the app\'s schema; review with npm run upload-schema -- --dry-run.',
  },
  InternalError: {
    cause: 'An internal error in the Entra provisioning service.',
    fix: 'Retry; if it persists, restart the job (npm run upload-schema -- --restart) and open a support case.',
  },
  InvalidDomain: {
    cause: 'An attribute value carries a domain the app does not accept.',
    fix: 'Use a verified domain in the app, or transform the value in the mapping.',
  },
  Timeout: {
    cause: 'The SCIM service did not answer in time.',
    fix: 'Check the SCIM service\'s health and latency; Entra retries in the next cycle.',
  },
  LicenseLimitExceeded: {
    cause: 'The app refused the user because it ran out of licences.',
    fix: 'Buy more licences in the app or unassign users who do not need access.',
  },
  DuplicateTargetEntries: {
    cause: 'Several objects in the app match the Entra object.',
    fix: 'Remove the duplicates in the app so that the matching attribute is unique.',
  },
  DuplicateSourceEntries: {
    cause: 'Several Entra objects share the value of the matching attribute.',
    fix: 'Make the matching attribute unique in Entra (or match on another attribute).',
  },
  ImportSkipped: {
    cause: 'The source object has no value for the matching attribute, so it was skipped.',
    fix: 'Give the object a value for the matching attribute (e.g. userPrincipalName).',
  },
  EntrySynchronizationSkipped: {
    cause: 'Entra skipped the object: it is out of scope (not assigned, disabled, or filtered out).',
    fix: 'Assign the user or group to the app or adjust the scoping filter; informational otherwise.',
  },
  SystemForCrossDomainIdentityManagementMultipleEntriesInResponse: {
    cause: 'A SCIM filter query for one object returned several.',
    fix: 'The app must treat the matching attribute (userName / displayName) as unique; remove duplicates.',
  },
  SystemForCrossDomainIdentityManagementServiceIncompatible: {
    cause: 'The SCIM service answered in a way Entra cannot parse (response shape or content type).',
    fix: 'Check the SCIM service implements SCIM 2.0 responses (ListResponse, application/scim+json).',
  },
  SchemaPropertyCanOnlyAcceptValue: {
    cause: 'A single-valued target attribute received several values.',
    fix: 'Change the mapping so it yields one value (e.g. SingleAppRoleAssignment), or make the attribute multi-valued.',
  },
  SystemForCrossDomainIdentityManagementInvalidCredentials: {
    cause: 'The tenant URL or secret token is wrong (Test Connection fails).',
    fix: 'Save the right tenant URL and token: npm run configure-provisioning -- --tenant-url … --token-file …',
  },
  SystemForCrossDomainIdentityManagementBadResponse: {
    cause: 'The SCIM service answered Test Connection or a request with an unexpected response.',
    fix: 'GET /Users?filter=userName eq "<unknown>" must answer 200 with an empty ListResponse; check the service.',
  },
  SystemForCrossDomainIdentityManagementServiceUnavailable: {
    cause: 'The SCIM service could not be reached.',
    fix: 'Check the service is running and reachable from Azure (DNS, TLS, firewall).',
  },
  RedundantExport: {
    cause: 'The object in the app already has the values Entra computed: nothing to export.',
    fix: 'Nothing to do.',
  },
};

export function adviceFor(code: string | null | undefined): ErrorAdvice {
  if (code && table[code]) return table[code];
  return {
    cause: code ? `Error code ${code} (not in the project's table).` : 'The log record carries no error code.',
    fix: 'Read the record\'s reason and additional details (npm run provisioning-logs -- --json); see https://learn.microsoft.com/entra/identity/monitoring-health/howto-analyze-provisioning-logs',
  };
}

export const knownErrorCodes = Object.keys(table);
