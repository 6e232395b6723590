// Azure Database for PostgreSQL with Entra authentication (prod policy: password auth off): the pool's password is
// an access token for the PostgreSQL scope, fetched per new connection and reused until shortly before it expires.
// The Azure credential is the only stand-in here (no Azure on this machine); our own code runs as it is.
import type { AccessToken, TokenCredential } from '@azure/identity';
import { describe, expect, it } from 'vitest';
import { createPool, entraTokenPassword, parsePostgresUrl, postgresEntraScope } from '../../src/storage/postgres/connection.js';

function fakeCredential(lifetimeMs: number, clock: { now: number }) {
  const scopes: string[] = [];
  let issued = 0;
  const credential: TokenCredential = {
    async getToken(scope: string | string[]): Promise<AccessToken> {
      scopes.push(String(scope));
      issued += 1;
      return { token: `token-${issued}`, expiresOnTimestamp: clock.now + lifetimeMs };
    },
  };
  return { credential, scopes, issued: () => issued };
}

describe('PostgreSQL Entra authentication', () => {
  it('reads auth=entra from DATABASE_URL (or PG_AUTH) and strips it from the connection string', () => {
    const s = parsePostgresUrl('postgres://id-scim@db.example:5432/scim?sslmode=require&auth=entra', {});
    expect(s.auth).toBe('entra');
    expect(s.connectionString).toBe('postgres://id-scim@db.example:5432/scim?sslmode=require');
    expect(parsePostgresUrl('postgres://id-scim@db.example:5432/scim', { PG_AUTH: 'entra' }).auth).toBe('entra');
    expect(parsePostgresUrl('postgres://u:p@db.example:5432/scim', {}).auth).toBe('password');
  });

  it('rejects an unknown auth mode and a password combined with Entra auth, saying what to fix', () => {
    expect(() => parsePostgresUrl('postgres://u@h/db?auth=kerberos', {})).toThrow(/must be "password" or "entra"/);
    expect(() => parsePostgresUrl('postgres://u:secret@h/db?auth=entra', {})).toThrow(/remove the password/);
  });

  it('asks for the PostgreSQL scope and reuses a token until 5 minutes before it expires', async () => {
    const clock = { now: 1_000_000 };
    const fake = fakeCredential(60 * 60_000, clock);
    const password = entraTokenPassword(fake.credential, () => clock.now);
    expect(await password()).toBe('token-1');
    clock.now += 50 * 60_000;
    expect(await password()).toBe('token-1');
    clock.now += 6 * 60_000; // 4 minutes before expiry: refresh
    expect(await password()).toBe('token-2');
    expect(fake.scopes).toEqual([postgresEntraScope, postgresEntraScope]);
  });

  it('gives the pool a password function in Entra mode and none in password mode', async () => {
    const clock = { now: Date.now() };
    const fake = fakeCredential(60 * 60_000, clock);
    const entraPool = createPool(parsePostgresUrl('postgres://id@127.0.0.1:5432/test?auth=entra', {}), fake.credential);
    const passwordPool = createPool(parsePostgresUrl('postgres://u:p@127.0.0.1:5432/test', {}));
    try {
      const option = (entraPool as unknown as { options: { password?: unknown } }).options.password;
      expect(typeof option).toBe('function');
      expect(await (option as () => Promise<string>)()).toBe('token-1');
      expect((passwordPool as unknown as { options: { password?: unknown } }).options.password).toBeUndefined();
    } finally {
      await Promise.all([entraPool.end(), passwordPool.end()]);
    }
  });
});
