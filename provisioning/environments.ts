/**
 * Per-environment parameters of the mappings. Mapping texts refer to them as `{{name}}`
 * (e.g. `Append("{{ssoId}}:", [objectId])`); `resolveMappings` substitutes them.
 * Environment names follow the Pulumi stacks (`Pulumi.<stack>.yaml`); `local` is the emulator.
 */
export interface EnvironmentParameters {
  /** SignPath's SSO identifier of the organization, prefixed to the object id in `externalId`. */
  readonly ssoId: string;
  /** appId (no hyphens) of the application that owns the directory extension attributes in this tenant. */
  readonly extensionAppId: string;
}

export interface Environment {
  readonly name: string;
  readonly description: string;
  readonly parameters: EnvironmentParameters;
}

export const environments = {
  local: {
    name: 'local',
    description: 'Emulator and sample directory (npm run local, previews, tests).',
    // extensionAppId matches provisioning/sample-directory.json.
    parameters: { ssoId: 'local-sso', extensionAppId: '5bfc8fdacfc943a9a6de214ea9d15fdb' },
  },
  dev: {
    name: 'dev',
    description: 'Development tenant.',
    parameters: { ssoId: 'contoso-dev', extensionAppId: '0a1b2c3d4e5f40718293a4b5c6d7e8f9' },
  },
  prod: {
    name: 'prod',
    description: 'Production tenant.',
    parameters: { ssoId: 'contoso', extensionAppId: 'f9e8d7c6b5a44392a1b0c9d8e7f6a5b4' },
  },
} as const satisfies Record<string, Environment>;

export type EnvironmentName = keyof typeof environments;

export const environmentNames = Object.keys(environments) as EnvironmentName[];

export const parameterNames = ['ssoId', 'extensionAppId'] as const satisfies readonly (keyof EnvironmentParameters)[];

/** Look an environment up by name with an error that lists the valid names. */
export function getEnvironment(name: string): Environment {
  if (!Object.hasOwn(environments, name)) {
    throw new Error(`unknown environment "${name}" (known: ${environmentNames.join(', ')})`);
  }
  return environments[name as EnvironmentName];
}

const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}/g;

/** Replace `{{param}}` placeholders; an unknown parameter is an error, never left in the output. */
export function substituteParameters(text: string, parameters: EnvironmentParameters): string {
  return text.replace(PLACEHOLDER, (_match, name: string) => {
    if (!(parameterNames as readonly string[]).includes(name)) {
      throw new Error(`unknown parameter {{${name}}} in "${text}" (known: ${parameterNames.join(', ')})`);
    }
    return parameters[name as keyof EnvironmentParameters];
  });
}

/** Names of the `{{param}}` placeholders used in a text. */
export function placeholdersIn(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}
