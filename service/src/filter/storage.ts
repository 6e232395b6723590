// Conversion to the filter shape the storage contract consumes (service/src/storage/contract.ts), so the
// service core parses with this grammar and hands engines their own AST without an adapter of its own.

import type { AttrPath, Filter as StorageFilter } from '../storage/contract.js';
import type { AttributePath, Filter, PatchPath } from './ast.js';
import { parseFilter, parsePatchPath, type ParseFilterOptions } from './parse.js';

function toAttrPath(path: AttributePath): AttrPath {
  return {
    ...(path.schema !== undefined ? { uri: path.schema } : {}),
    attr: path.attribute,
    ...(path.subAttribute !== undefined ? { sub: path.subAttribute } : {}),
  };
}

/** This module's AST → the storage contract's. `emails[type eq "work"].value eq "x"` becomes a compare on `{ attr, filter, sub }`. */
export function toStorageFilter(filter: Filter): StorageFilter {
  switch (filter.kind) {
    case 'compare':
      return { kind: 'compare', path: toAttrPath(filter.path), op: filter.operator, value: filter.value };
    case 'present':
      return { kind: 'present', path: toAttrPath(filter.path) };
    case 'and':
    case 'or':
      return { kind: filter.kind, left: toStorageFilter(filter.left), right: toStorageFilter(filter.right) };
    case 'not':
      return { kind: 'not', filter: toStorageFilter(filter.filter) };
    case 'valuePath': {
      const base = { ...toAttrPath(filter.path), filter: toStorageFilter(filter.filter) };
      const then = filter.then;
      if (then === undefined) return { kind: 'valuePath', path: toAttrPath(filter.path), filter: base.filter };
      const path: AttrPath = { ...base, sub: then.subAttribute };
      return then.operator === 'pr'
        ? { kind: 'present', path }
        : { kind: 'compare', path, op: then.operator, value: then.value };
    }
  }
}

/**
 * PATCH path → storage AttrPath. A bare extension URN (`urn:…:enterprise:2.0:User`) is split at its last
 * colon (`{ uri: 'urn:…:enterprise:2.0', attr: 'User' }`), the convention the PATCH engine resolves.
 */
export function toStoragePath(path: PatchPath): AttrPath {
  switch (path.kind) {
    case 'schema': {
      const cut = path.schema.lastIndexOf(':');
      return { uri: path.schema.slice(0, cut), attr: path.schema.slice(cut + 1) };
    }
    case 'attribute':
      return toAttrPath(path.path);
    case 'valuePath':
      return {
        ...toAttrPath(path.path),
        filter: toStorageFilter(path.filter),
        ...(path.subAttribute !== undefined ? { sub: path.subAttribute } : {}),
      };
  }
}

/** parseFilter, in the storage contract's shape. Throws ScimFilterError (scimType invalidFilter). */
export function parseStorageFilter(text: string, options?: ParseFilterOptions): StorageFilter {
  return toStorageFilter(parseFilter(text, options));
}

/** parsePatchPath, in the storage contract's shape. Throws ScimPathError (scimType invalidPath). */
export function parseStoragePath(text: string, options?: ParseFilterOptions): AttrPath {
  return toStoragePath(parsePatchPath(text, options));
}
