// Microsoft Graph's synchronization API state for every service principal: templates, jobs,
// secrets, job schemas and provisioning logs (graph-synchronization.md §3.2–3.11). Cycles and
// provision-on-demand are delegated to the provisioning engine (a `ProvisioningRunner`), schema
// checks to the expression language (a `SchemaChecker`), so this module stays about Graph.
import type { ServicePrincipalEntry } from '../directory/store.js';
import type { ProvisioningObjectSummary } from '../engine/logs.js';
import type { CycleReport } from '../engine/report.js';
import { badRequest, GraphError, notFound } from '../graph/errors.js';
import { jobId as makeJobId, newGuid } from '../ids.js';
import type { Tenant } from '../tenant.js';
import { SyncJob } from './job.js';
import { normaliseSchema } from './normalise.js';
import type { SynchronizationSchema } from './schema-types.js';
import { SCIM_TEMPLATE_ID, templateDirectories, templateSchema } from './template-schema.js';

/** What the expression language contributes to the Graph API. */
export interface ExpressionSupport {
  /** Throws a GraphError naming the first bad mapping. */
  validate(schema: SynchronizationSchema): void;
  /** `GET …/schema/functions`: `{name, parameters:[…]}` entries. */
  functions(): Record<string, unknown>[];
  /** `POST …/schema/parseExpression` → parseExpressionResponse. */
  parseExpression(body: unknown): Record<string, unknown>;
}

export interface ProvisioningRunner {
  runCycle(job: SyncJob): Promise<CycleReport>;
  provisionOnDemand(job: SyncJob, body: unknown): Promise<{ key: string; value: string }>;
}

export interface SynchronizationOptions {
  /** Run a cycle every N ms while a job is Active (soak runs); 0 = only when started. */
  cycleIntervalMs: number;
  /** SCIM requests kept per job for inspection. */
  maxRecordedRequests: number;
  /** Provisioning log records kept (oldest dropped first). */
  maxLogRecords: number;
}

export const defaultSynchronizationOptions: SynchronizationOptions = { cycleIntervalMs: 0, maxRecordedRequests: 100_000, maxLogRecords: 200_000 };

/** Secret keys whose values GET returns in clear; everything else comes back as "*" (reference §3.5). */
const PLAIN_SECRETS = new Set(['BaseAddress', 'SyncAll', 'SyncNotificationSettings', 'SkipOutOfScopeDeletions', 'SynchronizationSchedule']);

/** Keys of the `synchronizationSecret` enum (reference §3.5); anything else is a client typo. */
const SECRET_KEYS = new Set([
  'None', 'UserName', 'Password', 'SecretToken', 'AppKey', 'BaseAddress', 'ClientIdentifier', 'ClientSecret', 'SingleSignOnType', 'Sandbox', 'Url',
  'Domain', 'ConsumerKey', 'ConsumerSecret', 'TokenKey', 'TokenExpiration', 'Oauth2AccessToken', 'Oauth2AccessTokenCreationTime', 'Oauth2RefreshToken',
  'SyncAll', 'InstanceName', 'Oauth2ClientId', 'Oauth2ClientSecret', 'CompanyId', 'UpdateKeyOnSoftDelete', 'SynchronizationSchedule', 'SystemOfRecord',
  'SandboxName', 'EnforceDomain', 'SyncNotificationSettings', 'SkipOutOfScopeDeletions', 'Oauth2AuthorizationCode', 'Oauth2RedirectUri',
  'ApplicationTemplateIdentifier', 'Oauth2TokenExchangeUri', 'Oauth2AuthorizationUri', 'AuthenticationType', 'Server', 'PerformInboundEntitlementGrants',
  'HardDeletesEnabled', 'SyncAgentCompatibilityKey', 'SyncAgentADContainer', 'ValidateDomain', 'TestReferences', 'ConnectionString',
]);

export class Synchronization {
  readonly jobs = new Map<string, SyncJob>();
  private readonly secrets = new Map<string, Map<string, string>>();
  logs: ProvisioningObjectSummary[] = [];
  runner: ProvisioningRunner | null = null;
  expressions: ExpressionSupport | null = null;

  constructor(
    readonly tenant: Tenant,
    readonly options: SynchronizationOptions = defaultSynchronizationOptions,
  ) {}

  // --- templates ------------------------------------------------------------------------------
  templates(sp: ServicePrincipalEntry): Record<string, unknown>[] {
    return [{
      id: SCIM_TEMPLATE_ID,
      applicationId: sp.appId,
      default: true,
      description: 'SCIM 2.0 provisioning (non-gallery application)',
      discoverable: true,
      factoryTag: 'CustomSCIM',
      metadata: [
        { key: 'GalleryApplicationIdentifier', value: 'scim' },
        { key: 'GalleryApplicationKey', value: 'scim' },
        { key: 'IsSynchronizationInPreview', value: 'false' },
        { key: 'ConfigurationFields', value: JSON.stringify([{ name: 'BaseAddress' }, { name: 'SecretToken', secret: true }]) },
      ],
    }];
  }

  template(sp: ServicePrincipalEntry, templateId: string): Record<string, unknown> {
    const template = this.templates(sp).find((t) => t.id === templateId);
    if (!template) throw notFound('synchronizationTemplate', templateId);
    return template;
  }

  templateSchema(sp: ServicePrincipalEntry, templateId: string): SynchronizationSchema {
    this.template(sp, templateId);
    return templateSchema(`${templateId}.00000000000000000000000000000000`);
  }

  // --- jobs -----------------------------------------------------------------------------------
  createJob(sp: ServicePrincipalEntry, body: unknown): SyncJob {
    const templateId = (body as { templateId?: unknown } | null)?.templateId;
    if (typeof templateId !== 'string' || templateId === '') {
      throw badRequest(`The body needs 'templateId': one of the ids GET …/synchronization/templates lists ('${SCIM_TEMPLATE_ID}').`);
    }
    if (templateId !== SCIM_TEMPLATE_ID) {
      throw badRequest(`templateId '${templateId}' is not a synchronization template of this service principal; GET …/synchronization/templates lists them ('${SCIM_TEMPLATE_ID}').`);
    }
    const id = makeJobId(templateId, this.tenant.tenantId, sp.appId);
    if (this.jobs.has(id)) throw new GraphError(409, 'Conflict', `A job from template '${templateId}' already exists for this service principal: ${id}.`);
    const job = new SyncJob(id, templateId, sp.id, this.options.maxRecordedRequests);
    this.jobs.set(id, job);
    return job;
  }

  jobsOf(sp: ServicePrincipalEntry): SyncJob[] {
    return [...this.jobs.values()].filter((j) => j.servicePrincipalId === sp.id);
  }

  job(sp: ServicePrincipalEntry, jobId: string): SyncJob {
    const job = this.jobs.get(jobId);
    if (!job || job.servicePrincipalId !== sp.id) throw notFound('synchronizationJob', jobId);
    return job;
  }

  /** PATCH job: only `synchronizationJobSettings` ({name, value} pairs, merged by name) can change. */
  patchJob(job: SyncJob, body: unknown): void {
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('The body must be a synchronizationJob object, e.g. {"synchronizationJobSettings":[{"name":"QuarantineTooManyDeletesThreshold","value":"100"}]}.');
    const { synchronizationJobSettings: settings, ...rest } = body as Record<string, unknown>;
    const other = Object.keys(rest).filter((k) => k !== 'id' && k !== '@odata.type');
    if (other.length > 0) throw badRequest(`Only synchronizationJobSettings can be changed with PATCH; '${other.join("', '")}' cannot (use start, pause, restart, schema).`);
    if (settings === undefined) return;
    if (!Array.isArray(settings)) throw badRequest('synchronizationJobSettings must be an array of {"name","value"} pairs.');
    const next = [...job.settings];
    settings.forEach((raw: unknown, i) => {
      const entry = raw as { name?: unknown; value?: unknown } | null;
      if (!entry || typeof entry.name !== 'string' || entry.name === '') throw badRequest(`synchronizationJobSettings[${i}] needs a string 'name'.`);
      if (entry.name === 'QuarantineTooManyDeletesThreshold' && !/^\d+$/.test(String(entry.value ?? ''))) {
        throw badRequest(`QuarantineTooManyDeletesThreshold must be a whole number of objects (got '${String(entry.value)}').`);
      }
      const value = entry.value === null || entry.value === undefined ? null : String(entry.value);
      const at = next.findIndex((s) => s.name === entry.name);
      if (at >= 0) next[at] = { name: entry.name, value: value ?? '' };
      else next.push({ name: entry.name, value: value ?? '' });
    });
    job.settings = next;
  }

  /** Deleting a job stops it and forgets all its state (reference §3.6). */
  deleteJob(job: SyncJob): void {
    if (job.timer) clearInterval(job.timer);
    job.timer = null;
    this.jobs.delete(job.id);
  }

  // --- schema ---------------------------------------------------------------------------------
  putSchema(job: SyncJob, body: unknown): void {
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      throw badRequest('The body must be the whole synchronizationSchema (GET …/schema, edit, PUT it back).');
    }
    const input = body as Record<string, unknown>;
    if (!Array.isArray(input.synchronizationRules) || input.synchronizationRules.length === 0) {
      throw badRequest("The schema needs 'synchronizationRules' (PUT the whole document GET …/schema returned, with your edits).");
    }
    const schema = normaliseSchema(input, job.id, templateDirectories());
    const ruleIds = new Set(templateSchema(job.id).synchronizationRules.map((r) => r.id));
    for (const rule of schema.synchronizationRules) {
      if (!ruleIds.has(rule.id)) {
        throw badRequest(`Synchronization rule '${rule.name || rule.id}' has id '${rule.id}', which the provisioning engine does not know; keep the rule id from GET …/schema (${[...ruleIds].join(', ')}).`);
      }
    }
    this.expressionSupport().validate(schema);
    job.customSchema = schema;
    job.schemaRevision++;
  }

  expressionSupport(): ExpressionSupport {
    if (!this.expressions) throw new GraphError(503, 'ServiceUnavailable', 'The expression language is not available in this emulator build.');
    return this.expressions;
  }

  resetSchema(job: SyncJob): void {
    job.customSchema = null;
    job.schemaRevision++;
  }

  // --- secrets --------------------------------------------------------------------------------
  secretMap(spId: string): Map<string, string> {
    return new Map(this.secrets.get(spId) ?? []);
  }

  /** PUT merges the supplied keys; an empty value removes a key (Terraform's way to delete one). */
  putSecrets(sp: ServicePrincipalEntry, body: unknown): void {
    const value = (body as { value?: unknown } | null)?.value;
    if (!Array.isArray(value)) throw badRequest('The body must be {"value": [{"key": "BaseAddress", "value": "…"}, {"key": "SecretToken", "value": "…"}]}.');
    const merged = new Map(this.secrets.get(sp.id) ?? []);
    value.forEach((item: unknown, i) => {
      const entry = item as { key?: unknown; value?: unknown } | null;
      if (!entry || typeof entry.key !== 'string' || !SECRET_KEYS.has(entry.key)) {
        throw badRequest(`value[${i}].key '${String(entry?.key)}' is not a synchronizationSecret key (for a SCIM app: BaseAddress, SecretToken, SyncAll, SyncNotificationSettings, SkipOutOfScopeDeletions).`);
      }
      if (entry.value === '' || entry.value === null || entry.value === undefined) merged.delete(entry.key);
      else merged.set(entry.key, String(entry.value));
    });
    const base = merged.get('BaseAddress');
    if (base !== undefined && !isHttpUrl(base)) throw badRequest(`BaseAddress '${base}' is not an http(s) URL; use the SCIM tenant URL, e.g. https://scim.example.com/scim/<tenant>.`);
    this.secrets.set(sp.id, merged);
    for (const job of this.jobsOf(sp)) if (job.status.code === 'NotConfigured' && merged.has('BaseAddress')) job.status.code = 'NotRun';
  }

  maskedSecrets(sp: ServicePrincipalEntry): { key: string; value: string }[] {
    return [...(this.secrets.get(sp.id) ?? [])].map(([key, value]) => ({ key, value: PLAIN_SECRETS.has(key) ? value : '*' }));
  }

  // --- start / pause / restart ----------------------------------------------------------------
  start(job: SyncJob): void {
    job.markStarted();
    this.kick(job);
    if (this.options.cycleIntervalMs > 0 && !job.timer) {
      job.timer = setInterval(() => {
        if (job.schedule.state === 'Active' && !job.running) this.kick(job);
      }, this.options.cycleIntervalMs);
      job.timer.unref();
    }
  }

  /** Starts a cycle in the background; its outcome lands in the job status. */
  private kick(job: SyncJob): void {
    if (!this.runner) return;
    void this.runCycle(job).catch(() => undefined);
  }

  pause(job: SyncJob): void {
    job.markPaused();
  }

  /** `resetScope` flags (reference §3.7); empty = the portal's "Restart provisioning". */
  restart(job: SyncJob, body: unknown): void {
    const criteria = (body as { criteria?: { resetScope?: unknown } } | null)?.criteria;
    const raw = criteria?.resetScope;
    if (raw !== undefined && raw !== null && typeof raw !== 'string') throw badRequest('criteria.resetScope must be a string of comma-separated flags, e.g. "Watermark, Escrows, QuarantineState".');
    const flags = new Set((raw ?? '').split(',').map((f) => f.trim().toLowerCase()).filter(Boolean));
    const known = ['none', 'connectordatastore', 'escrows', 'watermark', 'quarantinestate', 'full', 'forcedeletes'];
    for (const f of flags) if (!known.includes(f)) throw badRequest(`Unknown resetScope flag '${f}'; use None, ConnectorDataStore, Escrows, Watermark, QuarantineState, Full or ForceDeletes.`);
    const all = flags.has('full') || flags.size === 0;
    if (all || flags.has('watermark')) job.engine.watermark = 0;
    if (all || flags.has('escrows')) job.engine.escrows.clear();
    if (all || flags.has('quarantinestate')) job.status.quarantine = null;
    if (flags.has('full') || flags.has('connectordatastore')) job.engine.clearConnectorData();
    if (flags.has('forcedeletes')) job.engine.forceDeletes = true;
    this.start(job);
  }

  /** Runs one cycle now (serialised per job) and folds its report into the job status. */
  async runCycle(job: SyncJob): Promise<CycleReport> {
    if (!this.runner) throw new GraphError(503, 'ServiceUnavailable', 'The provisioning engine is not available in this emulator build.');
    const runner = this.runner;
    while (job.running) await job.running.catch(() => undefined);
    const run = (async () => {
      const report = await runner.runCycle(job);
      job.applyReport(report);
      return report;
    })();
    job.running = run;
    try {
      return await run;
    } finally {
      job.running = null;
    }
  }

  addLog(summary: ProvisioningObjectSummary): void {
    this.logs.push(summary);
    if (this.logs.length > this.options.maxLogRecords) this.logs.splice(0, this.logs.length - this.options.maxLogRecords);
  }

  // --- validate credentials (Test Connection) -------------------------------------------------
  /**
   * Entra's Test Connection: `GET /Users?filter=userName eq "<random GUID>"` must answer 200 with an
   * empty ListResponse (entra-scim-client.md §1.1). Failures are Graph errors; the token never appears.
   */
  async validateCredentials(sp: ServicePrincipalEntry, body: unknown): Promise<void> {
    const b = (body ?? {}) as { useSavedCredentials?: unknown; credentials?: unknown };
    let credentials: Map<string, string>;
    if (b.useSavedCredentials === true || b.credentials === undefined) {
      credentials = this.secretMap(sp.id);
    } else {
      if (!Array.isArray(b.credentials)) throw badRequest('credentials must be an array of {"key","value"} pairs (BaseAddress, SecretToken).');
      credentials = new Map((b.credentials as { key?: unknown; value?: unknown }[]).map((c) => [String(c?.key ?? ''), String(c?.value ?? '')]));
    }
    const baseAddress = credentials.get('BaseAddress');
    if (!baseAddress) throw badRequest('No tenant URL: pass credentials [{"key":"BaseAddress",…},{"key":"SecretToken",…}] or save them with PUT …/synchronization/secrets first.', 'CredentialsMissing');
    if (!isHttpUrl(baseAddress)) throw badRequest(`'${baseAddress}' is not a valid tenant URL. Please provide a valid tenant URL for your application.`, 'SystemForCrossDomainIdentityManagementInvalidCredentials');
    const url = new URL(baseAddress);
    url.search = '';
    url.hash = '';
    const target = `${url.toString().replace(/\/+$/, '')}/Users?${new URLSearchParams([['filter', `userName eq "${newGuid()}"`]]).toString()}`;
    let res: Response;
    try {
      res = await fetch(target, { headers: { authorization: `Bearer ${credentials.get('SecretToken') ?? ''}` }, signal: AbortSignal.timeout(30_000) });
    } catch (error) {
      const code = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      throw badRequest(`You appear to have entered an invalid tenant URL: ${url.origin} could not be reached (${code}).`, 'SystemForCrossDomainIdentityManagementCredentialValidationUnavailable');
    }
    const text = await res.text();
    if (res.status === 401 || res.status === 403) {
      throw badRequest(`You appear to have entered invalid credentials: the SCIM endpoint answered the test query with HTTP ${res.status}. Check the secret token.`, 'SystemForCrossDomainIdentityManagementInvalidCredentials');
    }
    const parsed = parseJson(text) as { totalResults?: unknown; Resources?: unknown } | null;
    // `Resources: null` (or missing) fails Entra's Test Connection too (entra-scim-client.md §1.2).
    const empty = parsed !== null && typeof parsed === 'object' && Array.isArray(parsed.Resources) && parsed.Resources.length === 0 && Number(parsed.totalResults) === 0;
    if (res.status !== 200 || !empty) {
      throw badRequest(`The SCIM endpoint did not answer the test query 'GET /Users?filter=userName eq "<random GUID>"' with 200 and an empty ListResponse (got HTTP ${res.status}${parsed ? '' : ', not JSON'}).`, 'SystemForCrossDomainIdentityManagementBadResponse');
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function isHttpUrl(text: string): boolean {
  try {
    const u = new URL(text);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}
