import { randomBytes, randomUUID } from 'node:crypto';

export const newGuid = (): string => randomUUID();

/** App role assignment ids are 43-character base64url strings in Graph, not GUIDs. */
export const newAssignmentId = (): string => randomBytes(32).toString('base64url').slice(0, 43);

/** `<templateId>.<tenantId without hyphens>.<appId>`: the three-part job id Entra issues (reference §1). */
export const jobId = (templateId: string, tenantId: string, appId: string): string =>
  `${templateId}.${tenantId.replaceAll('-', '')}.${appId}`;

/** Graph timestamps: ISO-8601 with whole seconds, UTC. */
export const graphTime = (ms: number = Date.now()): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The zero date Graph uses for "never" (`steadyStateFirstAchievedTime` before the first steady state). */
export const NEVER = '0001-01-01T00:00:00Z';
