/** The program refuses a bad stack config before registering any resource, with a message naming the key. */
import { describe, expect, it, vi } from 'vitest';
import { installMocks, settle } from './harness.js';
import { stackConfig } from './stack.js';

describe('program with an invalid stack config', () => {
  it('fails on import with the config error and registers nothing', async () => {
    const captured = installMocks({ stack: 'dev', config: { ...stackConfig('dev'), 'entra-scim:maxReplicas': 3 } });
    await expect(import('../../index.js')).rejects.toThrow(/Stack config "entra-scim:postgres": is required when maxReplicas \(3\) > 1/);
    await settle();
    expect(captured).toEqual([]);
  });

  it('a misspelled key is an error, not silently ignored', async () => {
    vi.resetModules();
    installMocks({ stack: 'dev', config: { ...stackConfig('dev'), 'entra-scim:maxReplica': 3 } });
    await expect(import('../../index.js')).rejects.toThrow(/"entra-scim:maxReplica": is not a setting of this program/);
  });
});
