// The Graph endpoints backed by the expression language: schema validation on PUT,
// `schema/functions` and `schema/parseExpression` (graph-synchronization.md §3.9, mapping-expressions.md §3.2).
import { ExpressionEvaluationError, ExpressionSyntaxError, functionCatalogue, type SourceObject, type Value } from '../../../expressions/index.js';
import { compile, sourceFromText } from '../expressions-bridge.js';
import { validateSchema } from './schema-validation.js';
import type { ExpressionSupport } from './synchronization.js';

function publicError(code: string, message: string): Record<string, unknown> {
  return { code, message, target: null, details: [], innerError: null };
}

/** `testInputObject.properties` ([{key, value}], multi-valued as arrays) → a source object. */
function sourceObject(input: unknown): SourceObject {
  const properties = (input as { properties?: unknown } | null)?.properties;
  const source: Record<string, Value> = {};
  if (!Array.isArray(properties)) return source;
  for (const p of properties as { key?: unknown; value?: unknown }[]) {
    if (typeof p?.key !== 'string') continue;
    source[p.key] = (p.value ?? null) as Value;
  }
  return source;
}

function asStrings(value: Value): string[] {
  if (value === null) return [];
  if (Array.isArray(value)) return value.flatMap((v) => (v !== null && typeof v === 'object' ? [JSON.stringify(v)] : asStrings(v)));
  return [typeof value === 'object' ? JSON.stringify(value) : String(value)];
}

export const expressionSupport: ExpressionSupport = {
  validate: validateSchema,

  functions() {
    return functionCatalogue
      .filter((f) => f.flavor !== 'cloud-sync')
      .map((f) => ({
        id: f.name,
        name: f.name,
        parameters: f.parameters.map((p) => ({ name: p.name, type: 'String', required: p.required, allowMultipleOccurrences: p.repeats })),
      }));
  },

  parseExpression(body) {
    const b = body as { expression: string; testInputObject?: unknown };
    let parsedExpression;
    try {
      parsedExpression = sourceFromText(b.expression);
    } catch (error) {
      const message = error instanceof ExpressionSyntaxError ? `${error.reason} at line ${error.line}, column ${error.column}` : (error as Error).message;
      return { error: publicError('InvalidExpression', message), evaluationSucceeded: false, evaluationResult: [], parsedExpression: null, parsingSucceeded: false };
    }
    if (!b.testInputObject) {
      try {
        compile(b.expression);
      } catch (error) {
        return { error: publicError('InvalidExpression', (error as Error).message), evaluationSucceeded: false, evaluationResult: [], parsedExpression, parsingSucceeded: true };
      }
      return { error: null, evaluationSucceeded: false, evaluationResult: [], parsedExpression, parsingSucceeded: true };
    }
    try {
      const result = compile(b.expression).evaluate(sourceObject(b.testInputObject));
      if (result.kind === 'value') return { error: null, evaluationSucceeded: true, evaluationResult: asStrings(result.value), parsedExpression, parsingSucceeded: true };
      const message = result.kind === 'escrow' ? `The object would be escrowed: ${result.reason}` : 'The expression leaves the target attribute alone for this input (IgnoreFlow).';
      return { error: publicError(result.kind === 'escrow' ? 'EscrowedEntry' : 'AttributeFlowIgnored', message), evaluationSucceeded: result.kind !== 'escrow', evaluationResult: [], parsedExpression, parsingSucceeded: true };
    } catch (error) {
      const message = error instanceof ExpressionEvaluationError ? error.message : (error as Error).message;
      return { error: publicError('EvaluationFailed', message), evaluationSucceeded: false, evaluationResult: [], parsedExpression, parsingSucceeded: true };
    }
  },
};
