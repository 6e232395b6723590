// Tenant schema settings: bare custom extension URNs (`customSchemas`, attributes accepted schema-less) and
// custom extensions with attribute definitions (`customExtensions`, discoverable in /Schemas). Validated
// here with the same rules discovery applies (service/src/discovery/custom.ts), so a bad definition is a
// 400 at the admin API, never a broken /Schemas later.
import { customExtensionSchemas, DiscoveryConfigError } from '../discovery/custom.js';
import type { CustomExtensionSettings } from '../storage/contract.js';
import { AdminError } from './errors.js';

export const customSchemaPattern = /^urn:ietf:params:scim:schemas:extension:[A-Za-z0-9][A-Za-z0-9._-]*:2\.0:User$/;
const attributeKeys = new Set(['name', 'type', 'multiValued', 'required', 'caseExact', 'description', 'canonicalValues']);
const extensionKeys = new Set(['name', 'description', 'attributes']);
const maxExtensions = 20;
const maxAttributes = 200;

type Attribute = CustomExtensionSettings['attributes'][number];

function fail(detail: string): never {
  throw new AdminError(400, detail, 'invalidValue');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseCustomSchemas(input: unknown): string[] {
  if (!Array.isArray(input) || !input.every((s) => typeof s === 'string' && customSchemaPattern.test(s))) {
    fail('customSchemas must be an array of URNs like "urn:ietf:params:scim:schemas:extension:MyApp:2.0:User"');
  }
  return [...new Set(input as string[])];
}

function parseAttribute(where: string, input: unknown): Attribute {
  if (!isRecord(input)) fail(`${where} must be an object like {"name": "costCenter", "type": "string"}`);
  for (const key of Object.keys(input)) if (!attributeKeys.has(key)) fail(`${where}: unknown field "${key}" (allowed: ${[...attributeKeys].join(', ')})`);
  if (typeof input.name !== 'string') fail(`${where}.name must be a string`);
  const out: Attribute = { name: input.name };
  if (input.type !== undefined) {
    if (typeof input.type !== 'string') fail(`${where}.type must be a string such as "string", "boolean" or "integer"`);
    out.type = input.type as Attribute['type'];
  }
  for (const flag of ['multiValued', 'required', 'caseExact'] as const) {
    if (input[flag] === undefined) continue;
    if (typeof input[flag] !== 'boolean') fail(`${where}.${flag} must be true or false`);
    out[flag] = input[flag] as boolean;
  }
  if (input.description !== undefined) {
    if (typeof input.description !== 'string') fail(`${where}.description must be a string`);
    out.description = input.description;
  }
  if (input.canonicalValues !== undefined) {
    if (!Array.isArray(input.canonicalValues) || !input.canonicalValues.every((v) => typeof v === 'string')) fail(`${where}.canonicalValues must be an array of strings`);
    out.canonicalValues = input.canonicalValues as string[];
  }
  return out;
}

export function parseCustomExtensions(input: unknown): CustomExtensionSettings[] {
  if (!Array.isArray(input)) fail('customExtensions must be an array like [{"name": "Contoso", "attributes": [{"name": "costCenter"}]}]');
  if (input.length > maxExtensions) fail(`at most ${maxExtensions} custom extensions are allowed`);
  const out = input.map((ext, i): CustomExtensionSettings => {
    const where = `customExtensions[${i}]`;
    if (!isRecord(ext)) fail(`${where} must be an object like {"name": "Contoso", "attributes": [...]}`);
    for (const key of Object.keys(ext)) if (!extensionKeys.has(key)) fail(`${where}: unknown field "${key}" (allowed: ${[...extensionKeys].join(', ')})`);
    if (typeof ext.name !== 'string') fail(`${where}.name must be a string (the <Name> in urn:ietf:params:scim:schemas:extension:<Name>:2.0:User)`);
    if (!Array.isArray(ext.attributes)) fail(`${where}.attributes must be an array of attribute definitions`);
    if (ext.attributes.length > maxAttributes) fail(`${where}: at most ${maxAttributes} attributes are allowed`);
    const parsed: CustomExtensionSettings = { name: ext.name, attributes: ext.attributes.map((a, j) => parseAttribute(`${where}.attributes[${j}]`, a)) };
    if (ext.description !== undefined) {
      if (typeof ext.description !== 'string') fail(`${where}.description must be a string`);
      parsed.description = ext.description;
    }
    return parsed;
  });
  try {
    customExtensionSchemas(out);
  } catch (error) {
    if (error instanceof DiscoveryConfigError) fail(error.message);
    throw error;
  }
  return out;
}
