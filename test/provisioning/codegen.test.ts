import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { importSynchronizationSchema, renderMappingsModule } from '../../provisioning/index.js';

const fixture = readFileSync(new URL('./fixtures/synchronization-schema.local.json', import.meta.url), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'codegen-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('renderMappingsModule', () => {
  const model = importSynchronizationSchema(fixture);
  const source = renderMappingsModule(model, { importFrom: pathToFileURL(new URL('../../provisioning/model.ts', import.meta.url).pathname).href });

  it('prints mappings in the style of provisioning/mappings.ts', () => {
    expect(source).toContain(`  { target: 'active', source: expression('Switch([IsSoftDeleted], , "False", "True", "True", "False")') },`);
    expect(source).toContain(`  { target: 'userName', source: direct('userPrincipalName'), matchingPrecedence: 2 },`);
    expect(source).toContain(`defaultValue: 'unassigned' },`);
  });

  it('the generated module evaluates to the imported mappings', async () => {
    const file = join(dir, 'mappings.ts');
    writeFileSync(file, source);
    const generated = (await import(pathToFileURL(file).href)) as { userMappings: unknown; groupMappings: unknown };
    expect(generated.userMappings).toEqual(model.users.mappings);
    expect(generated.groupMappings).toEqual(model.groups.mappings);
  });

  it('escapes quotes and backslashes in expressions', () => {
    const tricky = {
      ...model,
      users: { ...model.users, mappings: [{ target: 'title', source: { type: 'expression' as const, expression: `Replace([jobTitle], , "\\\\s+", , "'", , )` } }] },
    };
    expect(renderMappingsModule(tricky)).toContain(`expression('Replace([jobTitle], , "\\\\\\\\s+", , "\\'", , )')`);
  });
});
