// Import provisioning/ from a checkout of one revision and return what the review needs as plain data.
// For other revisions this runs as a child process (`tsx load-revision.ts <checkout> <environment>`, JSON on
// stdout) so two versions of the same modules never share a module cache; the working tree is loaded in
// process. All evaluation happens in the reviewing process with the current code, so an old revision's data
// is judged by today's rules.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface LoadedRevision {
  present: boolean;
  model: unknown;
  sample: unknown;
  appRoles: unknown;
  exclusiveGlobalRoles: unknown;
  /** The environment's parameters (ssoId, extensionAppId), when the revision knows the environment. */
  parameters: unknown;
  errors: string[];
}

const firstLines = (error: unknown) =>
  (error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error)).split('\n').slice(0, 3).join('\n');

export async function loadProvisioning(dir: string, environment: string): Promise<LoadedRevision> {
  const out: LoadedRevision = { present: false, model: null, sample: null, appRoles: [], exclusiveGlobalRoles: [], parameters: null, errors: [] };
  const entry = join(dir, 'provisioning', 'index.ts');
  if (!existsSync(entry)) return out;
  out.present = true;
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(entry).href)) as Record<string, unknown>;
  } catch (error) {
    out.errors.push(`provisioning/index.ts cannot be loaded: ${firstLines(error)}`);
    return out;
  }
  out.appRoles = module.appRoles ?? [];
  out.exclusiveGlobalRoles = module.exclusiveGlobalRoles ?? [];
  try {
    const getEnvironment = module.getEnvironment as (name: string) => { parameters: unknown };
    const resolveModel = module.resolveModel as (model: unknown, parameters: unknown) => unknown;
    out.parameters = getEnvironment(environment).parameters;
    out.model = resolveModel(module.provisioningModel, out.parameters);
  } catch (error) {
    out.errors.push(`the mappings cannot be resolved for environment "${environment}": ${firstLines(error)}`);
  }
  try {
    const loadSampleDirectory = module.loadSampleDirectory as () => unknown;
    out.sample = loadSampleDirectory();
  } catch (error) {
    out.errors.push(firstLines(error));
  }
  return out;
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  const [dir, environment] = process.argv.slice(2);
  loadProvisioning(dir!, environment!).then(
    (out) => process.stdout.write(JSON.stringify(out)),
    (error: unknown) => {
      process.stdout.write(
        JSON.stringify({ present: true, model: null, sample: null, appRoles: [], exclusiveGlobalRoles: [], parameters: null, errors: [firstLines(error)] }),
      );
    },
  );
}
