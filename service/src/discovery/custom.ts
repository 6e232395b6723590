// Tenant-configurable custom User extensions: `urn:ietf:params:scim:schemas:extension:<Name>:2.0:User`
// (the form Entra uses for custom attributes, reference §1.2 [MS-Attr]).

import { attribute } from './schemas.js';
import type { AttributeDefinition, AttributeType, SchemaDefinition } from './types.js';

export interface CustomAttributeConfig {
  readonly name: string;
  /** Default 'string'. Complex custom attributes are not supported. */
  readonly type?: Exclude<AttributeType, 'complex'>;
  readonly multiValued?: boolean;
  readonly required?: boolean;
  readonly caseExact?: boolean;
  readonly description?: string;
  readonly canonicalValues?: readonly string[];
}

export interface CustomExtensionConfig {
  /** `<Name>` in the URN: letters and digits, starting with a letter (e.g. "CustomExtensionName"). */
  readonly name: string;
  readonly description?: string;
  readonly attributes: readonly CustomAttributeConfig[];
}

export class DiscoveryConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DiscoveryConfigError';
  }
}

const EXTENSION_NAME = /^[A-Za-z][A-Za-z0-9]{0,63}$/;
const ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,127}$/;
const TYPES: readonly string[] = ['string', 'boolean', 'decimal', 'integer', 'dateTime', 'reference', 'binary'];
const RESERVED = new Set(['enterprise', 'core']);

export function customExtensionUrn(name: string): string {
  return `urn:ietf:params:scim:schemas:extension:${name}:2.0:User`;
}

/** Build the schema of one custom extension. Throws DiscoveryConfigError naming the field to fix. */
export function customExtensionSchema(config: CustomExtensionConfig): SchemaDefinition {
  if (!EXTENSION_NAME.test(config.name) || RESERVED.has(config.name.toLowerCase())) {
    throw new DiscoveryConfigError(
      `Custom extension name "${config.name}" is invalid: use letters and digits, starting with a letter (not "enterprise" or "core")`,
    );
  }
  const seen = new Set<string>();
  const attributes: AttributeDefinition[] = config.attributes.map((a) => {
    if (!ATTRIBUTE_NAME.test(a.name)) {
      throw new DiscoveryConfigError(
        `Custom extension "${config.name}": attribute name "${a.name}" is invalid: use letters, digits, "_" or "-", starting with a letter`,
      );
    }
    const key = a.name.toLowerCase();
    if (seen.has(key)) {
      throw new DiscoveryConfigError(`Custom extension "${config.name}": attribute "${a.name}" is defined twice (names are case-insensitive)`);
    }
    seen.add(key);
    const type = a.type ?? 'string';
    if (!TYPES.includes(type)) {
      throw new DiscoveryConfigError(`Custom extension "${config.name}": attribute "${a.name}" has unsupported type "${type}" (use ${TYPES.join(', ')})`);
    }
    return attribute(a.name, type, a.description ?? `Custom attribute ${a.name}.`, {
      multiValued: a.multiValued ?? false,
      required: a.required ?? false,
      caseExact: a.caseExact ?? false,
      ...(a.canonicalValues && a.canonicalValues.length > 0 ? { canonicalValues: a.canonicalValues } : {}),
    });
  });
  return {
    id: customExtensionUrn(config.name),
    name: config.name,
    description: config.description ?? `Custom User extension ${config.name}.`,
    attributes,
  };
}

/** Build all of a tenant's custom extensions, rejecting duplicate extension names. */
export function customExtensionSchemas(configs: readonly CustomExtensionConfig[]): SchemaDefinition[] {
  const seen = new Set<string>();
  return configs.map((config) => {
    const key = config.name.toLowerCase();
    if (seen.has(key)) throw new DiscoveryConfigError(`Custom extension "${config.name}" is defined twice (names are case-insensitive)`);
    seen.add(key);
    return customExtensionSchema(config);
  });
}
