// Secrets of the admin side. Tenant tokens are generated and hashed exactly as the SCIM layer verifies them
// (service/src/scim/auth.ts: `scim_` + 256 random bits, stored as sha256 hex); the admin token is compared
// in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import { bearerOf, generateToken, hashToken } from '../scim/auth.js';

export { generateToken, hashToken };

/** Prefix that makes a leaked token recognisable to secret scanners. */
export const tokenPrefix = 'scim_';

/** Constant-time comparison of two secrets of any length (both are hashed to 32 bytes first). */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** The bearer credential of an Authorization header value, or undefined. */
export const bearerToken: (header: string | undefined) => string | undefined = bearerOf;
