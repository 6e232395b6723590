// Per-job engine state: Entra's connector data store (source id → target id and what was exported),
// escrows awaiting retry, the watermark of the last cycle, and the recorded SCIM traffic.
import type { RecordedRequest } from './scim-client.js';

export interface StoredUser {
  targetId: string;
  disabled: boolean;
}

export interface StoredGroup {
  targetId: string;
  /** Source ids of the members exported so far: member PATCHes send only the difference. */
  members: Set<string>;
}

export interface Escrow {
  objectId: string;
  objectType: 'User' | 'Group';
  attempts: number;
  firstFailure: string;
  code: string;
  message: string;
}

export class EngineState {
  readonly users = new Map<string, StoredUser>();
  readonly groups = new Map<string, StoredGroup>();
  readonly escrows = new Map<string, Escrow>();
  /** Deletions held back by the accidental-deletion threshold until `restart` with ForceDeletes. */
  readonly heldDeletes = new Set<string>();
  watermark = 0;
  /** Schema revision the last full cycle ran with; a newer one forces re-evaluation of everything. */
  cycledSchemaRevision = -1;
  forceDeletes = false;
  requests: RecordedRequest[] = [];

  constructor(readonly maxRecordedRequests: number) {}

  record(request: RecordedRequest): void {
    this.requests.push(request);
    if (this.requests.length > this.maxRecordedRequests) this.requests.splice(0, this.requests.length - this.maxRecordedRequests);
  }

  /** `ConnectorDataStore` reset: forget every exported object. */
  clearConnectorData(): void {
    this.users.clear();
    this.groups.clear();
  }
}
