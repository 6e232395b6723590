// What one provisioning cycle did: counters, outcome, quarantine decision (the job status is built from it).

export interface CycleCounts {
  imported: number;
  entitled: number;
  created: number;
  updated: number;
  disabled: number;
  deleted: number;
  skipped: number;
  escrowed: number;
  exports: number;
  exported: number;
}

export interface CycleReport {
  cycleId: string;
  full: boolean;
  state: 'Succeeded' | 'EntryLevelErrors' | 'Failed';
  counts: CycleCounts;
  error: { code: string; message: string; tenantActionable: boolean } | null;
  quarantine: { reason: string; error: { code: string; message: string; tenantActionable: boolean } } | null;
  heldDeletes: number;
  throttled: number;
  timeBegan: string;
  timeEnded: string;
}

