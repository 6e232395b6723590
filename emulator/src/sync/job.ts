// A synchronization job as Graph shows it (id, templateId, schedule, status, settings) plus the
// engine state behind it. Status bookkeeping follows graph-synchronization.md §3.4, §3.6.
import type { CycleReport } from '../engine/report.js';
import { EngineState } from '../engine/job-state.js';
import { NEVER } from '../ids.js';
import type { SynchronizationSchema } from './schema-types.js';
import { templateSchema } from './template-schema.js';

/** Graph's "never" schedule interval for a disabled job (TimeSpan.MaxValue). */
const DISABLED_INTERVAL = 'P10675199DT2H48M5.4775807S';
const RUNNING_INTERVAL = 'PT40M';

export interface SynchronizationError {
  code: string;
  message: string;
  tenantActionable: boolean;
}

export interface TaskExecution {
  activityIdentifier: string;
  countEntitled: number;
  countEntitledForProvisioning: number;
  countEscrowed: number;
  countEscrowedRaw: number;
  countExported: number;
  countExports: number;
  countImported: number;
  countImportedDeltas: number;
  countImportedReferenceDeltas: number;
  error: SynchronizationError | null;
  state: 'Succeeded' | 'Failed' | 'EntryLevelErrors';
  timeBegan: string;
  timeEnded: string;
}

export interface Quarantine {
  currentBegan: string;
  nextAttempt: string;
  reason: string;
  seriesBegan: string;
  seriesCount: number;
  error: SynchronizationError | null;
}

export interface JobStatus {
  code: 'NotConfigured' | 'NotRun' | 'Active' | 'Paused' | 'Quarantine';
  countSuccessiveCompleteFailures: number;
  escrowsPruned: boolean;
  lastExecution: TaskExecution | null;
  lastSuccessfulExecution: TaskExecution | null;
  lastSuccessfulExecutionWithExports: TaskExecution | null;
  progress: { completedUnits: number; totalUnits: number; units: string; progressObservationDateTime: string }[];
  quarantine: Quarantine | null;
  steadyStateFirstAchievedTime: string;
  steadyStateLastAchievedTime: string;
  synchronizedEntryCountByType: { key: string; value: number }[];
  troubleshootingUrl: string | null;
}

export class SyncJob {
  schedule = { expiration: null as string | null, interval: DISABLED_INTERVAL, state: 'Disabled' as 'Active' | 'Disabled' | 'Paused' };
  status: JobStatus = {
    code: 'NotConfigured',
    countSuccessiveCompleteFailures: 0,
    escrowsPruned: false,
    lastExecution: null,
    lastSuccessfulExecution: null,
    lastSuccessfulExecutionWithExports: null,
    progress: [],
    quarantine: null,
    steadyStateFirstAchievedTime: NEVER,
    steadyStateLastAchievedTime: NEVER,
    synchronizedEntryCountByType: [],
    troubleshootingUrl: null,
  };
  settings: { name: string; value: string }[] = [
    { name: 'AzureIngestionAttributeOptimization', value: 'False' },
    { name: 'LookaheadQueryEnabled', value: 'False' },
    { name: 'QuarantineTooManyDeletesThreshold', value: '500' },
  ];
  /** null until a PUT: GET returns the template's defaults meanwhile. */
  customSchema: SynchronizationSchema | null = null;
  schemaRevision = 0;
  readonly engine: EngineState;
  running: Promise<CycleReport> | null = null;
  timer: NodeJS.Timeout | null = null;

  constructor(
    readonly id: string,
    readonly templateId: string,
    readonly servicePrincipalId: string,
    maxRecordedRequests: number,
  ) {
    this.engine = new EngineState(maxRecordedRequests);
  }

  get schema(): SynchronizationSchema {
    return this.customSchema ?? templateSchema(this.id);
  }

  setting(name: string): string | undefined {
    return this.settings.find((s) => s.name === name)?.value;
  }

  toGraph(): Record<string, unknown> {
    return {
      id: this.id,
      templateId: this.templateId,
      schedule: this.schedule,
      status: this.status,
      synchronizationJobSettings: this.settings,
    };
  }

  markStarted(): void {
    this.schedule = { expiration: null, interval: RUNNING_INTERVAL, state: 'Active' };
    this.status.quarantine = null;
    this.status.code = 'Active';
  }

  markPaused(): void {
    this.schedule = { ...this.schedule, state: 'Paused' };
    this.status.code = 'Paused';
  }

  applyReport(report: CycleReport): void {
    const c = report.counts;
    const execution: TaskExecution = {
      activityIdentifier: report.cycleId,
      countEntitled: c.entitled,
      countEntitledForProvisioning: c.entitled,
      countEscrowed: this.engine.escrows.size,
      countEscrowedRaw: c.escrowed,
      countExported: c.exported,
      countExports: c.exports,
      countImported: c.imported,
      countImportedDeltas: report.full ? 0 : c.imported,
      countImportedReferenceDeltas: 0,
      error: report.error,
      state: report.state,
      timeBegan: report.timeBegan,
      timeEnded: report.timeEnded,
    };
    const s = this.status;
    s.lastExecution = execution;
    if (report.state === 'Failed') s.countSuccessiveCompleteFailures++;
    else s.countSuccessiveCompleteFailures = 0;
    if (report.state !== 'Failed') {
      s.lastSuccessfulExecution = execution;
      if (c.exports > 0) s.lastSuccessfulExecutionWithExports = execution;
    }
    if (report.state === 'Succeeded' && !report.quarantine) {
      if (s.steadyStateFirstAchievedTime === NEVER) s.steadyStateFirstAchievedTime = report.timeEnded;
      s.steadyStateLastAchievedTime = report.timeEnded;
    }
    if (report.quarantine) {
      const now = Date.now();
      const previous = s.quarantine;
      s.quarantine = {
        currentBegan: new Date(now).toISOString(),
        nextAttempt: new Date(now + 5 * 60_000).toISOString(),
        reason: report.quarantine.reason,
        seriesBegan: previous?.seriesBegan ?? new Date(now).toISOString(),
        seriesCount: (previous?.seriesCount ?? 0) + 1,
        error: report.quarantine.error,
      };
      s.code = 'Quarantine';
    } else if (s.code !== 'Paused') {
      s.quarantine = null;
      s.code = 'Active';
    }
    s.synchronizedEntryCountByType = [
      { key: 'user to urn:ietf:params:scim:schemas:extension:enterprise:2.0:user', value: this.engine.users.size },
      { key: 'group to urn:ietf:params:scim:schemas:core:2.0:group', value: this.engine.groups.size },
    ];
  }
}
