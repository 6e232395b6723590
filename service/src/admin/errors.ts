// Admin API errors use the SCIM error shape (RFC 7644 §3.12) like the SCIM endpoints: `status` as a string,
// an optional `scimType`, and a `detail` that says what to fix. Never a stack trace.
import type { FastifyReply } from 'fastify';

export const scimErrorSchema = 'urn:ietf:params:scim:api:messages:2.0:Error';

export interface ScimErrorBody {
  schemas: [typeof scimErrorSchema];
  status: string;
  scimType?: string;
  detail: string;
}

export function scimError(status: number, detail: string, scimType?: string): ScimErrorBody {
  return { schemas: [scimErrorSchema], status: String(status), ...(scimType ? { scimType } : {}), detail };
}

export function sendAdminError(reply: FastifyReply, status: number, detail: string, scimType?: string): FastifyReply {
  return reply.code(status).type('application/scim+json; charset=utf-8').send(scimError(status, detail, scimType));
}
/** A failed admin operation: HTTP status, optional scimType, and a detail that says what to fix. */
export class AdminError extends Error {
  readonly status: number;
  readonly scimType: string | undefined;
  constructor(status: number, detail: string, scimType?: string) {
    super(detail);
    this.name = 'AdminError';
    this.status = status;
    this.scimType = scimType;
  }
}

