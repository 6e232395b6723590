// Typed AST for RFC 7644 §3.4.2.2 filters and §3.5.2 PATCH paths.
// Names are kept as the client wrote them (the grammar is case-insensitive for attribute names);
// resolve them against the schema with `resolveAttribute` from ./evaluate.js.

export type CompareOperator = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';

export const compareOperators: readonly CompareOperator[] = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'];

/** A comparison value: JSON string, number, true, false or null. */
export type FilterValue = string | number | boolean | null;

/** `[schemaUrn ":"] attribute ["." subAttribute]`, e.g. `name.givenName` or `urn:…:enterprise:2.0:User:manager.value`. */
export interface AttributePath {
  readonly schema?: string;
  readonly attribute: string;
  readonly subAttribute?: string;
}

export interface CompareFilter {
  readonly kind: 'compare';
  readonly path: AttributePath;
  readonly operator: CompareOperator;
  readonly value: FilterValue;
}

export interface PresentFilter {
  readonly kind: 'present';
  readonly path: AttributePath;
}

export interface LogicalFilter {
  readonly kind: 'and' | 'or';
  readonly left: Filter;
  readonly right: Filter;
}

export interface NotFilter {
  readonly kind: 'not';
  readonly filter: Filter;
}

/** Test applied to a sub-attribute of the elements a value path selected (Entra's `emails[type eq "work"].value eq "x"`). */
export type SubAttributeTest =
  | { readonly subAttribute: string; readonly operator: CompareOperator; readonly value: FilterValue }
  | { readonly subAttribute: string; readonly operator: 'pr' };

/**
 * `emails[type eq "work"]`: true when some element of the multi-valued attribute matches `filter`
 * (paths inside are relative to the element). With `then`, that same element must also pass the
 * sub-attribute test: `emails[type eq "work"].value eq "a@b"` (not in RFC 7644's ABNF, but Entra sends it).
 */
export interface ValuePathFilter {
  readonly kind: 'valuePath';
  readonly path: AttributePath;
  readonly filter: Filter;
  readonly then?: SubAttributeTest;
}

export type Filter = CompareFilter | PresentFilter | LogicalFilter | NotFilter | ValuePathFilter;

/**
 * PATCH `path` (RFC 7644 §3.5.2): an attribute path, a value path with an optional sub-attribute,
 * or a bare extension schema URN (`urn:…:enterprise:2.0:User`, the whole extension object).
 */
export type PatchPath =
  | { readonly kind: 'schema'; readonly schema: string }
  | { readonly kind: 'attribute'; readonly path: AttributePath }
  | {
      readonly kind: 'valuePath';
      readonly path: AttributePath;
      readonly filter: Filter;
      readonly subAttribute?: string;
    };
