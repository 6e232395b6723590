// Graph errors become messages that say what to fix. Codes and causes: reference
// graph-synchronization.md §2 (permissions), §3.3/§3.6 (credentials, quarantine), §3.11 (log codes).
import { CliError, ExitCode } from '../cli/errors.js';

/** What a request was for, so that an error can name the permission and the input to check. */
export interface Operation {
  /** "save the provisioning credentials" — completes "Could not …". */
  what: string;
  /** The least-privileged Graph permission this call needs (docs/permissions.md). */
  permission?: string;
  /** What to check when Graph answers 404 (which flag names the missing object). */
  notFoundFix?: string;
}

export interface GraphFailure {
  status: number;
  code: string;
  message: string;
  requestId?: string | null;
}

const credentialCodes = new Set([
  'SystemForCrossDomainIdentityManagementInvalidCredentials',
  'SystemForCrossDomainIdentityManagementCredentialValidationUnavailable',
  'SystemForCrossDomainIdentityManagementBadResponse',
  'CredentialsMissing',
]);

export function graphFailureToCliError(f: GraphFailure, op: Operation, graphUrl: string): CliError {
  const where = `Could not ${op.what}`;
  const details = { status: f.status, graphCode: f.code, ...(f.requestId ? { requestId: f.requestId } : {}) };
  if (f.status <= 0) {
    return new CliError(`${where}: Graph at ${graphUrl} could not be reached (${f.message}).`, {
      exitCode: ExitCode.remote,
      code: 'GraphUnreachable',
      fix: 'Check --graph-url / GRAPH_BASE_URL and your network; for local runs start the emulator first (npm run local).',
      details,
    });
  }
  if (f.status === 401) {
    return new CliError(`${where}: Graph rejected the access token (401 ${f.code}: ${f.message}).`, {
      exitCode: ExitCode.auth,
      code: 'GraphUnauthorized',
      fix: 'The token is missing, expired or for another audience: run `az login` again, or refresh GRAPH_ACCESS_TOKEN (it must be issued for https://graph.microsoft.com).',
      details,
    });
  }
  if (f.status === 403) {
    const permission = op.permission ?? 'Synchronization.ReadWrite.All';
    return new CliError(`${where}: Graph denied the call (403 ${f.code}: ${f.message}).`, {
      exitCode: ExitCode.auth,
      code: 'GraphPermissionMissing',
      fix: `Grant the caller ${permission} (application permission with admin consent, or Application.ReadWrite.OwnedBy if it owns the app; delegated users also need the Application Administrator or Cloud Application Administrator role). See docs/permissions.md. Right after creating the app, wait a minute and retry: new objects take time to replicate.`,
      details: { ...details, permission },
    });
  }
  if (credentialCodes.has(f.code)) {
    return new CliError(`${where}: Entra could not use the SCIM credentials (${f.code}): ${f.message}`, {
      exitCode: ExitCode.checkFailed,
      code: f.code,
      fix: f.code === 'CredentialsMissing'
        ? 'Save the tenant URL and token first: npm run configure-provisioning -- --tenant-url <url> --token-file <file>.'
        : 'Check the tenant URL (it must be https and end at the SCIM base, e.g. https://host/scim/<tenant>) and that the token is current; the SCIM service must answer GET /Users?filter=userName eq "<guid>" with 200 and an empty list.',
      details,
    });
  }
  if (f.status === 404) {
    return new CliError(`${where}: not found (404 ${f.code}: ${f.message}).`, {
      exitCode: ExitCode.notFound,
      code: 'NotFound',
      fix: op.notFoundFix ?? 'Check the ids you passed (the service principal OBJECT id, not the appId).',
      details,
    });
  }
  if (f.status === 429) {
    return new CliError(`${where}: Graph kept throttling the request (429) after every retry.`, {
      exitCode: ExitCode.remote,
      code: 'GraphThrottled',
      fix: 'Wait a minute and rerun; provision on demand allows 5 calls per 10 seconds per job.',
      details,
    });
  }
  if (f.status >= 500) {
    return new CliError(`${where}: Graph failed (${f.status} ${f.code}: ${f.message}) after retries.`, {
      exitCode: ExitCode.remote,
      code: 'GraphServerError',
      fix: 'This is on the Graph side: rerun later; if it persists, check https://status.azure.com and quote the request id.',
      details,
    });
  }
  return new CliError(`${where}: Graph refused the request (${f.status} ${f.code}: ${f.message}).`, {
    exitCode: f.status === 409 ? ExitCode.remote : ExitCode.usage,
    code: f.code || 'GraphBadRequest',
    fix: f.status === 409 ? 'Another change is in flight (or the object was just created); wait a moment and rerun.' : 'Check the input named in the message.',
    details,
  });
}

export function quarantineError(reason: string, error: { code?: string; message?: string } | null | undefined): CliError {
  return new CliError(`The provisioning job is in quarantine (${reason})${error?.code ? `: ${error.code} ${error.message ?? ''}` : ''}.`, {
    exitCode: ExitCode.checkFailed,
    code: 'JobQuarantined',
    fix: quarantineFix(reason, error?.code),
  });
}

export function quarantineFix(reason: string, code?: string): string {
  if (code && credentialCodes.has(code)) return 'Fix the tenant URL / token (npm run configure-provisioning), then restart the job (npm run upload-schema -- --restart or configure-provisioning --start).';
  switch (reason) {
    case 'TooManyDeletes':
      return 'More deletions than the accidental-deletion threshold were pending. Check the scoping and assignments; if the deletions are intended, restart with resetScope ForceDeletes.';
    case 'EncounteredBaseEscrowThreshold':
    case 'EncounteredTotalEscrowThreshold':
    case 'EncounteredEscrowProportionThreshold':
      return 'Too many objects failed to export. Run npm run provisioning-logs -- --status failure to see the error codes, fix the cause, then restart the job.';
    case 'QuarantinedOnDemand':
      return 'The job was quarantined by a request; restart it when ready.';
    default:
      return 'Run npm run provisioning-logs -- --status failure to see why, fix the cause, then restart the job (it clears QuarantineState).';
  }
}
