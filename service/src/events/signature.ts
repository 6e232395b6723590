// Webhook signatures follow the Standard Webhooks specification (https://www.standardwebhooks.com):
// receivers can verify them with its libraries (npm `standardwebhooks`, Svix, …) in any language
// instead of hand-writing HMAC code.
//   webhook-id:        stable message id, identical on every retry (de-duplication key)
//   webhook-timestamp: Unix seconds of this attempt (replay protection)
//   webhook-signature: "v1,<base64 HMAC-SHA256(key, `${id}.${timestamp}.${rawBody}`)>"
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const SECRET_PREFIX = 'whsec_';

/** A new random signing secret, `whsec_` + base64 of 32 bytes (the Standard Webhooks format). */
export function generateWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

export function isWebhookSecret(value: string): boolean {
  if (!value.startsWith(SECRET_PREFIX)) return false;
  const key = Buffer.from(value.slice(SECRET_PREFIX.length), 'base64');
  return key.length >= 24 && key.length <= 64;
}

function secretKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
}

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

export function signWebhook(secret: string, messageId: string, timestampSeconds: number, rawBody: string): SignedHeaders {
  const mac = createHmac('sha256', secretKey(secret)).update(`${messageId}.${timestampSeconds}.${rawBody}`).digest('base64');
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': `v1,${mac}`,
  };
}

/**
 * Verifies a delivery the way a receiver should: the signature over the raw bytes, and a timestamp
 * within `toleranceSeconds` of now. Exported for receivers written in TypeScript and for the tests.
 */
export function verifyWebhook(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  rawBody: string,
  options: { toleranceSeconds?: number; nowSeconds?: number } = {},
): boolean {
  const id = headerValue(headers['webhook-id']);
  const timestamp = headerValue(headers['webhook-timestamp']);
  const signatures = headerValue(headers['webhook-signature']);
  if (!id || !timestamp || !signatures || !/^\d+$/.test(timestamp)) return false;
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(timestamp)) > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signWebhook(secret, id, Number(timestamp), rawBody)['webhook-signature']);
  // Several space-separated signatures are allowed (secret rotation).
  return signatures.split(' ').some((candidate) => {
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
