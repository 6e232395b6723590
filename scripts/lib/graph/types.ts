// The parts of Graph's synchronization resources the scripts read (reference §4). Unknown fields pass through.

export interface SynchronizationError {
  code?: string | null;
  message?: string | null;
  tenantActionable?: boolean;
}

export interface SynchronizationTaskExecution {
  state?: 'Succeeded' | 'Failed' | 'EntryLevelErrors' | string;
  error?: SynchronizationError | null;
  timeBegan?: string;
  timeEnded?: string;
  countExported?: number;
  countEscrowed?: number;
  countImported?: number;
}

export interface SynchronizationJob {
  id: string;
  templateId: string;
  schedule?: { state?: string; interval?: string; expiration?: string | null };
  status?: {
    code?: 'NotConfigured' | 'NotRun' | 'Active' | 'Paused' | 'Quarantine' | string;
    lastExecution?: SynchronizationTaskExecution | null;
    lastSuccessfulExecution?: SynchronizationTaskExecution | null;
    quarantine?: {
      reason?: string;
      currentBegan?: string;
      nextAttempt?: string;
      seriesCount?: number;
      error?: SynchronizationError | null;
    } | null;
    progress?: { completedUnits: number; totalUnits: number; units?: string }[];
    steadyStateLastAchievedTime?: string;
    synchronizedEntryCountByType?: { key: string; value: number }[];
  };
}

export interface AttributeMappingSource {
  type: 'Attribute' | 'Constant' | 'Function' | string;
  name?: string | null;
  expression?: string | null;
  parameters?: { key: string; value: AttributeMappingSource }[];
}

export interface AttributeMapping {
  targetAttributeName: string;
  source?: AttributeMappingSource | null;
  defaultValue?: string | null;
  matchingPriority?: number;
  flowBehavior?: string;
  flowType?: string;
  exportMissingReferences?: boolean;
}

export interface FilterClause {
  sourceOperandName: string;
  operatorName: string;
  targetOperand?: { values?: string[] } | null;
}

export interface ObjectMapping {
  name?: string;
  enabled?: boolean;
  flowTypes?: string;
  sourceObjectName: string;
  targetObjectName: string;
  attributeMappings: AttributeMapping[];
  scope?: { groups?: { name?: string; clauses?: FilterClause[] }[] } | null;
  metadata?: unknown[];
}

export interface SynchronizationRule {
  id: string;
  name?: string;
  sourceDirectoryName?: string;
  targetDirectoryName?: string;
  objectMappings: ObjectMapping[];
  priority?: number;
  editable?: boolean;
  metadata?: unknown[];
}

export interface AttributeDefinition {
  name: string;
  type?: string;
  multivalued?: boolean;
  [key: string]: unknown;
}

export interface DirectoryDefinition {
  id?: string;
  name: string;
  objects: { name: string; attributes: AttributeDefinition[]; [key: string]: unknown }[];
  [key: string]: unknown;
}

export interface SynchronizationSchema {
  id?: string;
  version?: string;
  synchronizationRules: SynchronizationRule[];
  directories: DirectoryDefinition[];
  [key: string]: unknown;
}

export interface ParseExpressionResponse {
  error?: { code?: string; message?: string } | null;
  evaluationSucceeded?: boolean;
  evaluationResult?: string[] | null;
  parsedExpression?: AttributeMappingSource | null;
  parsingSucceeded?: boolean;
}

export interface ProvisioningStep {
  name?: string;
  type?: string;
  provisioningStepType?: string;
  status?: string;
  description?: string;
  timestamp?: string;
  details?: Record<string, unknown> | null;
}

export interface ProvisionOnDemandResult {
  result: 'Success' | 'Skipped' | 'Failure' | string;
  details: { errorCode?: string; errorMessage?: string };
}

export interface ProvisionOnDemandValue {
  action?: string;
  changeId?: string;
  reportableIdentifier?: string;
  modifiedProperties?: { displayName: string; oldValue?: string | null; newValue?: string | null }[];
  provisioningSteps?: ProvisioningStep[];
  statusInfo?: { status?: string; errorCode?: string | null; reason?: string | null; additionalDetails?: string | null; recommendedAction?: string | null } | null;
  sourceIdentity?: { id?: string; type?: string; displayName?: string };
  targetIdentity?: { id?: string; type?: string; displayName?: string };
}

export interface ProvisioningObjectSummary {
  id: string;
  activityDateTime: string;
  jobId?: string;
  cycleId?: string;
  changeId?: string;
  provisioningAction?: string;
  provisioningStatusInfo?: {
    status?: 'success' | 'failure' | 'skipped' | 'warning' | string;
    errorInformation?: { errorCode?: string | null; reason?: string | null; additionalDetails?: string | null; errorCategory?: string | null; recommendedAction?: string | null } | null;
  };
  provisioningSteps?: ProvisioningStep[];
  modifiedProperties?: { displayName: string; oldValue?: string | null; newValue?: string | null }[];
  sourceIdentity?: { id?: string; displayName?: string; identityType?: string };
  targetIdentity?: { id?: string; displayName?: string; identityType?: string };
  servicePrincipal?: { id?: string; displayName?: string };
}

export interface DirectoryUser {
  id: string;
  userPrincipalName?: string;
  displayName?: string;
  [key: string]: unknown;
}

export interface DirectoryGroup {
  id: string;
  displayName?: string;
  [key: string]: unknown;
}
