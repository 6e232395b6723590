// Bearer tokens: random, shown once, stored as sha256 hex, compared in constant time against every
// active token of the tenant (several may be active so a token is rotated without downtime).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { TokenRecord } from '../storage/contract.js';
import { ScimError } from './errors.js';

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A new random token (256 bits, base64url, prefixed so leaked tokens are recognisable). */
export function generateToken(): string {
  return 'scim_' + randomBytes(32).toString('base64url');
}

/** The bearer token of an Authorization header, or undefined. */
export function bearerOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1] : undefined;
}

/** Compares `token` with every hash (no early exit), returns the matching record. */
export function matchToken(token: string, tokens: TokenRecord[]): TokenRecord | undefined {
  const presented = Buffer.from(hashToken(token), 'hex');
  let found: TokenRecord | undefined;
  for (const t of tokens) {
    const stored = Buffer.from(t.hash, 'hex');
    if (stored.length === presented.length && timingSafeEqual(stored, presented) && !found) found = t;
  }
  return found;
}

export function unauthorized(detail: string): ScimError {
  return new ScimError(401, detail, undefined, { 'www-authenticate': 'Bearer realm="SCIM", error="invalid_token"' });
}

/**
 * Authenticates a request against a tenant's active tokens. An unknown tenant has no tokens, so it answers
 * exactly like a wrong token (401) and tenant names cannot be probed.
 */
export function authenticate(activeTokens: TokenRecord[], authorization: string | undefined): TokenRecord {
  const token = bearerOf(authorization);
  if (!token) throw unauthorized('Authorization: Bearer <token> is required; use the secret token issued for this tenant.');
  const match = matchToken(token, activeTokens);
  if (!match) throw unauthorized('The bearer token is not valid for this tenant (wrong, revoked or for another tenant).');
  return match;
}
