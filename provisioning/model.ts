/**
 * The provisioning model: attribute mappings as typed data. `ProvisioningModel` is what the Graph
 * synchronizationSchema document is rendered from and what `importSynchronizationSchema` returns.
 */
import type {
  AttributeFlowBehavior,
  AttributeFlowType,
  GraphDirectoryDefinition,
  GraphFilter,
  KeyValue,
} from './graph-types.js';

/** Where a target attribute's value comes from (the portal's "Mapping type"). */
export type MappingSource<SourceAttribute extends string = string> =
  /** Direct: copy a source attribute. */
  | { readonly type: 'attribute'; readonly attribute: SourceAttribute }
  /** Constant: a fixed string. */
  | { readonly type: 'constant'; readonly value: string }
  /** Expression in Entra's mapping language (expressions/); may use `{{param}}` environment placeholders. */
  | { readonly type: 'expression'; readonly expression: string }
  /** None: nothing flows except `defaultValue` on creation. */
  | { readonly type: 'none' };

export interface AttributeMapping<Target extends string = string, SourceAttribute extends string = string> {
  readonly target: Target;
  readonly source: MappingSource<SourceAttribute>;
  /** "Match objects using this attribute": 1, 2, … tried in ascending order. Omitted = not a matching attribute. */
  readonly matchingPrecedence?: number;
  /** Default FlowWhenChanged. */
  readonly flowBehavior?: AttributeFlowBehavior;
  /** "Apply this mapping": Always (default) or ObjectAddOnly ("Only during object creation"), … */
  readonly flowType?: AttributeFlowType;
  /** Used when the source evaluates to null, and only when the object is created. */
  readonly defaultValue?: string;
}

export interface ObjectMappingModel<Target extends string = string, SourceAttribute extends string = string> {
  readonly name: string;
  readonly enabled: boolean;
  /** Graph objectFlowTypes flags, e.g. "Add, Update, Delete". */
  readonly flowTypes: string;
  readonly sourceObjectName: string;
  readonly targetObjectName: string;
  readonly mappings: readonly AttributeMapping<Target, SourceAttribute>[];
  /** Attribute scoping filter; null = every assigned object. */
  readonly scope: GraphFilter | null;
  readonly metadata: readonly KeyValue[];
}

export interface SynchronizationRuleModel {
  readonly id: string;
  readonly name: string;
  readonly priority: number;
  readonly editable: boolean;
  readonly metadata: readonly KeyValue[];
  readonly containerFilter: { includedContainers: string[] } | null;
  readonly groupFilter: { includedGroups: string[] } | null;
}

export interface ProvisioningModel<UserTarget extends string = string, GroupTarget extends string = string> {
  /** Schema `id` when imported from a tenant; the shipped model has none (the job schema's id is kept on upload). */
  readonly schemaId?: string;
  readonly version: string | null;
  readonly rule: SynchronizationRuleModel;
  /** Source ("Azure Active Directory") and target ("customappsso") directories with their attribute definitions. */
  readonly sourceDirectory: GraphDirectoryDefinition;
  readonly targetDirectory: GraphDirectoryDefinition;
  readonly users: ObjectMappingModel<UserTarget>;
  readonly groups: ObjectMappingModel<GroupTarget>;
}

/** Readable constructors for mapping sources. */
export const direct = <S extends string>(attribute: S): MappingSource<S> => ({ type: 'attribute', attribute });
export const constant = (value: string): MappingSource<never> => ({ type: 'constant', value });
export const expression = (text: string): MappingSource<never> => ({ type: 'expression', expression: text });
export const none: MappingSource<never> = { type: 'none' };

/** The source as mapping-language text: `[attr]`, `"constant"`, the expression, or null for `none`. */
export function sourceText(source: MappingSource): string | null {
  switch (source.type) {
    case 'attribute':
      return `[${source.attribute}]`;
    case 'constant':
      return `"${source.value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
    case 'expression':
      return source.expression;
    case 'none':
      return null;
  }
}
