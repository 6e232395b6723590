// PUT …/schema validation: every mapping must parse, call known functions with the right number
// of arguments, read attributes the source directory defines and write attributes the target
// directory defines. A bad mapping rejects the whole PUT with a Graph error that names it (issue 4 §2).
import { ExpressionEvaluationError, ExpressionSyntaxError } from '../../../expressions/index.js';
import { compile, sourceFromText, sourceText } from '../expressions-bridge.js';
import { parseTargetPath } from '../engine/scim-paths.js';
import { unknownOperator } from '../engine/scoping-filter.js';
import { badRequest } from '../graph/errors.js';
import type { AttributeMappingSource, ObjectDefinition, SynchronizationSchema } from './schema-types.js';

function walk(node: AttributeMappingSource, visit: (n: AttributeMappingSource) => void): void {
  visit(node);
  for (const p of node.parameters ?? []) walk(p.value, visit);
}

/** Why an expression cannot be used, in one line (the caret excerpt is for terminals, not JSON). */
function reason(error: unknown): string {
  if (error instanceof ExpressionSyntaxError) return `${error.reason} at line ${error.line}, column ${error.column}`;
  if (error instanceof ExpressionEvaluationError) return error.message;
  return (error as Error).message;
}

export function validateSchema(schema: SynchronizationSchema): void {
  const directories = schema.directories;
  for (const rule of schema.synchronizationRules) {
    const sourceDir = directories.find((d) => d.name === rule.sourceDirectoryName);
    const targetDir = directories.find((d) => d.name === rule.targetDirectoryName);
    if (!sourceDir) throw badRequest(`Synchronization rule '${rule.name}': source directory '${rule.sourceDirectoryName}' is not in the schema's directories.`);
    if (!targetDir) throw badRequest(`Synchronization rule '${rule.name}': target directory '${rule.targetDirectoryName}' is not in the schema's directories.`);
    for (const om of rule.objectMappings) {
      const sourceObject: ObjectDefinition | undefined = sourceDir.objects.find((o) => o.name === om.sourceObjectName);
      const targetObject: ObjectDefinition | undefined = targetDir.objects.find((o) => o.name === om.targetObjectName);
      if (!sourceObject) throw badRequest(`Object mapping '${om.name}': source object '${om.sourceObjectName}' is not defined in directory '${sourceDir.name}'.`);
      if (!targetObject) throw badRequest(`Object mapping '${om.name}': target object '${om.targetObjectName}' is not defined in directory '${targetDir.name}'.`);
      const targets = new Set<string>();
      for (const am of om.attributeMappings) {
        const where = `Attribute mapping '${am.targetAttributeName}' in object mapping '${om.name}'`;
        try {
          parseTargetPath(am.targetAttributeName);
        } catch (e) {
          throw badRequest(`${where}: ${(e as Error).message}`);
        }
        if (targets.has(am.targetAttributeName.toLowerCase())) throw badRequest(`${where}: the target attribute is mapped twice; keep one mapping per target attribute.`);
        targets.add(am.targetAttributeName.toLowerCase());
        if (!targetObject.attributes.some((a) => a.name.toLowerCase() === am.targetAttributeName.toLowerCase())) {
          throw badRequest(`${where}: the target attribute is not defined on '${om.targetObjectName}' in directory '${rule.targetDirectoryName}'. Add it to that object's attributes in the schema's directories first.`);
        }
        if (!am.source) {
          if (am.defaultValue === null || am.defaultValue === undefined) throw badRequest(`${where}: a mapping needs a source or a defaultValue.`);
          continue;
        }
        let text = am.source.expression ?? `${am.source.name ?? ''}(…)`;
        let tree: AttributeMappingSource;
        try {
          text = sourceText(am.source);
          compile(text);
          tree = sourceFromText(text);
        } catch (e) {
          throw badRequest(`${where}: the expression ${text} is not valid: ${reason(e)}.`, 'InvalidExpression');
        }
        walk(tree, (n) => {
          if (n.type === 'Attribute' && n.name && !sourceObject.attributes.some((a) => a.name === n.name)) {
            throw badRequest(`${where}: the expression ${text} reads '${n.name}', which is not defined on '${om.sourceObjectName}' in directory '${rule.sourceDirectoryName}' (names are case-sensitive). Add the attribute (for example a directory extension extension_<appId>_<name>) to the directories section first.`, 'InvalidExpression');
          }
        });
      }
      for (const group of om.scope?.groups ?? []) {
        for (const clause of group.clauses ?? []) {
          if (unknownOperator(clause)) throw badRequest(`Scoping filter '${group.name ?? ''}' in object mapping '${om.name}': unknown operator '${clause.operatorName}' (see GET …/schema/filterOperators).`);
          if (!sourceObject.attributes.some((a) => a.name === clause.sourceOperandName)) {
            throw badRequest(`Scoping filter '${group.name ?? ''}' in object mapping '${om.name}': attribute '${clause.sourceOperandName}' is not defined on '${om.sourceObjectName}'.`);
          }
        }
      }
    }
  }
}
