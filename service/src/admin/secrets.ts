// Bearer tokens: random, shown once, stored as a hex sha256 (the storage contract's TokenRecord.hash),
// compared in constant time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Prefix that makes a leaked token recognisable to secret scanners. */
export const tokenPrefix = 'scim_';

/** A new bearer token: 32 random bytes (256 bits), base64url. */
export function generateToken(): string {
  return tokenPrefix + randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Constant-time comparison of two secrets of any length (both are hashed to 32 bytes first). */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** The bearer credential of an Authorization header value, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return m ? m[1] : undefined;
}
