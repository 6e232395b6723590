/**
 * Start from what you have: print an imported model's attribute mappings as TypeScript in the style of
 * provisioning/mappings.ts, ready to paste (targets not yet declared in schema-definitions.ts will then
 * fail tsc, which is the point: declare them deliberately).
 *
 *   npx tsx -e 'import {importSynchronizationSchema, renderMappingsModule} from "./provisioning/index.ts";
 *     import {readFileSync} from "node:fs";
 *     process.stdout.write(renderMappingsModule(importSynchronizationSchema(readFileSync("schema.json", "utf8"))))'
 */
import type { AttributeMapping, MappingSource, ProvisioningModel } from './model.js';

const quote = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;

function renderSource(source: MappingSource): string {
  switch (source.type) {
    case 'attribute':
      return `direct(${quote(source.attribute)})`;
    case 'constant':
      return `constant(${quote(source.value)})`;
    case 'expression':
      return `expression(${quote(source.expression)})`;
    case 'none':
      return 'none';
  }
}

function renderMapping(mapping: AttributeMapping): string {
  const fields = [`target: ${quote(mapping.target)}`, `source: ${renderSource(mapping.source)}`];
  if (mapping.matchingPrecedence) fields.push(`matchingPrecedence: ${mapping.matchingPrecedence}`);
  if (mapping.flowBehavior && mapping.flowBehavior !== 'FlowWhenChanged') fields.push(`flowBehavior: ${quote(mapping.flowBehavior)}`);
  if (mapping.flowType && mapping.flowType !== 'Always') fields.push(`flowType: ${quote(mapping.flowType)}`);
  if (mapping.defaultValue !== undefined) fields.push(`defaultValue: ${quote(mapping.defaultValue)}`);
  return `  { ${fields.join(', ')} },`;
}

export interface RenderMappingsOptions {
  /** Module the helpers are imported from; default './model.js' (a file inside provisioning/). */
  importFrom?: string;
}

/** TypeScript source declaring `userMappings` and `groupMappings` for a model (e.g. one imported from a tenant). */
export function renderMappingsModule(model: ProvisioningModel, options: RenderMappingsOptions = {}): string {
  const from = options.importFrom ?? './model.js';
  return [
    `// Generated from a synchronizationSchema by renderMappingsModule (provisioning/codegen.ts).`,
    `import { constant, direct, expression, none, type AttributeMapping } from ${quote(from)};`,
    '',
    '// Referenced so the import stays valid whichever helpers the mappings use.',
    'void [constant, direct, expression, none];',
    '',
    `export const userMappings: readonly AttributeMapping[] = [`,
    ...model.users.mappings.map(renderMapping),
    '];',
    '',
    `export const groupMappings: readonly AttributeMapping[] = [`,
    ...model.groups.mappings.map(renderMapping),
    '];',
    '',
  ].join('\n');
}
