// Provisioning logs: one `provisioningObjectSummary` per action (graph-synchronization.md §3.11),
// with Import, Scoping, Matching and Export steps and the modified properties.
import { graphTime, newGuid } from '../ids.js';

export type ProvisioningAction = 'create' | 'update' | 'delete' | 'disable' | 'stagedDelete' | 'other';
export type ProvisioningResult = 'success' | 'failure' | 'skipped' | 'warning';
export type StepType = 'import' | 'scoping' | 'matching' | 'processing' | 'referenceResolution' | 'export';

export interface ProvisioningStep {
  name: string;
  provisioningStepType: StepType;
  status: ProvisioningResult;
  description: string;
  details: Record<string, string>;
}

export interface ModifiedProperty {
  displayName: string;
  oldValue: string | null;
  newValue: string | null;
}

export interface ErrorInfo {
  errorCode: string;
  reason: string;
  additionalDetails: string | null;
  errorCategory: 'failure' | 'nonServiceFailure' | 'success';
  recommendedAction: string | null;
}

export interface ProvisioningObjectSummary {
  id: string;
  activityDateTime: string;
  tenantId: string;
  jobId: string;
  cycleId: string;
  changeId: string;
  durationInMilliseconds: number;
  provisioningAction: ProvisioningAction;
  provisioningStatusInfo: { status: ProvisioningResult; errorInformation: ErrorInfo | null };
  provisioningSteps: ProvisioningStep[];
  modifiedProperties: ModifiedProperty[];
  initiatedBy: { id: string; displayName: string; initiatorType: 'user' | 'application' | 'system' };
  servicePrincipal: { id: string; displayName: string };
  sourceIdentity: { id: string; displayName: string; identityType: string; details: Record<string, string> };
  targetIdentity: { id: string; displayName: string; identityType: string; details: Record<string, string> };
  sourceSystem: { id: string; displayName: string; details: Record<string, string> };
  targetSystem: { id: string; displayName: string; details: Record<string, string> };
}

export interface LogContext {
  tenantId: string;
  jobId: string;
  cycleId: string;
  servicePrincipal: { id: string; displayName: string; appId: string };
  onDemand: boolean;
}

/** Collects one object's steps while the pipeline runs, then becomes its log record. */
export class ObjectTrace {
  readonly steps: ProvisioningStep[] = [];
  readonly modified: ModifiedProperty[] = [];
  private readonly started = Date.now();
  targetId = '';
  constructor(
    readonly objectType: 'User' | 'Group',
    readonly sourceId: string,
    readonly displayName: string,
    readonly targetObjectName: string,
  ) {}

  step(provisioningStepType: StepType, name: string, status: ProvisioningResult, description: string, details: Record<string, unknown> = {}): void {
    const flat: Record<string, string> = {};
    for (const [k, v] of Object.entries(details)) if (v !== undefined) flat[k] = v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v);
    this.steps.push({ name, provisioningStepType, status, description, details: flat });
  }

  toSummary(ctx: LogContext, action: ProvisioningAction, status: ProvisioningResult, error: ErrorInfo | null): ProvisioningObjectSummary {
    return {
      id: newGuid(),
      activityDateTime: new Date().toISOString(),
      tenantId: ctx.tenantId,
      jobId: ctx.jobId,
      cycleId: ctx.cycleId,
      changeId: newGuid(),
      durationInMilliseconds: Math.max(1, Date.now() - this.started),
      provisioningAction: action,
      provisioningStatusInfo: { status, errorInformation: error },
      provisioningSteps: this.steps,
      modifiedProperties: this.modified,
      initiatedBy: ctx.onDemand
        ? { id: '', displayName: 'On-demand provisioning', initiatorType: 'user' }
        : { id: '', displayName: 'Azure AD Provisioning Service', initiatorType: 'system' },
      servicePrincipal: { id: ctx.servicePrincipal.id, displayName: ctx.servicePrincipal.displayName },
      sourceIdentity: { id: this.sourceId, displayName: this.displayName, identityType: this.objectType, details: {} },
      targetIdentity: { id: this.targetId, displayName: this.displayName, identityType: this.targetObjectName, details: {} },
      sourceSystem: { id: '', displayName: 'Azure Active Directory', details: {} },
      targetSystem: {
        id: '',
        displayName: 'customappsso',
        details: { ApplicationId: ctx.servicePrincipal.appId, ServicePrincipalId: ctx.servicePrincipal.id, ServicePrincipalDisplayName: ctx.servicePrincipal.displayName },
      },
    };
  }
}

export const nowTime = graphTime;
