/**
 * A value in a source object or a result: strings (the language's own type), plus the JSON forms a directory
 * carries (numbers, booleans, multi-valued lists, complex objects such as app role assignments).
 * Booleans read as "True"/"False" and numbers as their decimal text (reference §2).
 */
export type Value = string | number | boolean | null | Value[] | { [key: string]: Value };

/**
 * The object being provisioned, keyed by source attribute name (looked up case-insensitively; an absent key or
 * `null` is the language's null). Includes Entra's virtual attributes: `IsSoftDeleted`, `objectId`,
 * `extension_<appId>_<name>`, and `appRoleAssignments` as a list of {@link AppRoleAssignmentValue}.
 */
export type SourceObject = { readonly [attribute: string]: Value | undefined };

/** One app role assignment of the user, as the role functions read it (`value` is the app role's value). */
export interface AppRoleAssignmentValue {
  [key: string]: Value;
  /** The assignment id (or the app role id when the assignment id is unknown). */
  id: string;
  /** The app role's `value`, e.g. "GlobalAdministrator"; the default access role has none. */
  value: string | null;
  displayName: string;
}

/** The outcome of evaluating one mapping for one object. */
export type EvaluationResult =
  /** `value: null` = nothing to export (Entra does not provision nulls). `redacted`: logs show "[Redact]". */
  | { kind: 'value'; value: Value; redacted?: boolean }
  /** `IgnoreFlowIfNullOrEmpty` / `IgnoreAttributeFlow`: leave the target attribute out of this flow. */
  | { kind: 'ignoreFlow' }
  /** The object cannot be provisioned now (several roles for SingleAppRoleAssignment, no unique value left). */
  | { kind: 'escrow'; reason: string };

/** Values already taken in the target, for `SelectUniqueValue` (compared case-insensitively). */
export type ExistingTargetValues = readonly string[] | ReadonlySet<string> | ((candidate: string) => boolean);

export interface EvaluateOptions {
  /** Clock for `Now()` (and everything derived from it); default: the system clock. */
  now?: () => Date;
  /** Uniform random numbers in [0, 1) for `Guid()` and `RandomString()`; default `Math.random`. */
  random?: () => number;
  /** What the target already holds, for `SelectUniqueValue`; default: nothing. */
  existingTargetValues?: ExistingTargetValues;
  /**
   * Reference §4: "If the source attribute used within the IIF function is empty or null, the condition check
   * fails." When true, such an IIF raises an ExpressionEvaluationError; default false (evaluate the condition).
   */
  strictIifConditions?: boolean;
  /**
   * Reproduces the documented Switch quirk (reference §4): during a delta update, a Switch whose source
   * attributes are not among `changedAttributes` evaluates to null (and blanks the target). Off by default.
   */
  switchDeltaQuirk?: { changedAttributes: ReadonlySet<string> };
}
