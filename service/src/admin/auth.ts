// Admin authorization: `Authorization: Bearer <SCIM_ADMIN_TOKEN>`, compared in constant time. The same
// function guards the admin API and the event/webhook admin routes (service/src/events/routes.ts `authorize`).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendAdminError } from './errors.js';
import { bearerToken, secretsEqual } from './secrets.js';

export type AdminAuthorizer = (request: FastifyRequest, reply: FastifyReply) => Promise<boolean>;

/** Minimum length of SCIM_ADMIN_TOKEN, so a short guessable value is refused at startup. */
export const minAdminTokenLength = 32;

export function checkAdminToken(token: string | undefined): string | undefined {
  if (token === undefined || token === '') return undefined;
  if (token.length < minAdminTokenLength) {
    throw new Error(`SCIM_ADMIN_TOKEN must be at least ${minAdminTokenLength} characters (generate one with: openssl rand -base64 32)`);
  }
  return token;
}

/**
 * Answers 401 (missing or wrong token) or 403 (admin API disabled because no admin token is configured)
 * and returns false; returns true for an administrator.
 */
export function createAdminAuthorizer(adminToken: string | undefined): AdminAuthorizer {
  const expected = checkAdminToken(adminToken);
  return async (request, reply) => {
    if (expected === undefined) {
      await sendAdminError(reply, 403, 'the admin API is disabled: set SCIM_ADMIN_TOKEN on the service to enable it');
      return false;
    }
    const given = bearerToken(request.headers.authorization);
    if (given === undefined || !secretsEqual(given, expected)) {
      reply.header('www-authenticate', 'Bearer realm="scim-admin"');
      await sendAdminError(reply, 401, given === undefined
        ? 'send the admin token as "Authorization: Bearer <SCIM_ADMIN_TOKEN>"'
        : 'the admin token is not valid; use the value of SCIM_ADMIN_TOKEN (SCIM tenant tokens do not work here)');
      return false;
    }
    return true;
  };
}

/** A guard for one more bearer-protected endpoint (e.g. /metrics): 401 SCIM error unless the token matches. */
export function createBearerGuard(expected: string, realm: string, hint: string): AdminAuthorizer {
  return async (request, reply) => {
    const given = bearerToken(request.headers.authorization);
    if (given !== undefined && secretsEqual(given, expected)) return true;
    reply.header('www-authenticate', `Bearer realm="${realm}"`);
    await sendAdminError(reply, 401, hint);
    return false;
  };
}
