// SCIM filter and PATCH path grammar (RFC 7644 §3.4.2.2, §3.5.2): parse, format, evaluate in memory.
export type {
  AttributePath,
  CompareFilter,
  CompareOperator,
  Filter,
  FilterValue,
  LogicalFilter,
  NotFilter,
  PatchPath,
  PresentFilter,
  SubAttributeTest,
  ValuePathFilter,
} from './ast.js';
export { compareOperators } from './ast.js';
export { ScimFilterError, ScimPathError } from './errors.js';
export { parseAttributePath, parseFilter, parsePatchPath, type ParseFilterOptions } from './parse.js';
export { formatAttributePath, formatFilter, formatPatchPath, formatValue } from './format.js';
export { matchesFilter, resolveAttribute } from './evaluate.js';
export { parseStorageFilter, parseStoragePath, toStorageFilter, toStoragePath } from './storage.js';
