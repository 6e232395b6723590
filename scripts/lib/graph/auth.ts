// Which credential a script uses for Graph (docs/architecture.md "Scripts → Graph"):
// GRAPH_ACCESS_TOKEN if set; a loopback Graph URL (the emulator) gets a fixed local token;
// otherwise DefaultAzureCredential (az login, GitHub OIDC workload identity, managed identity).
import type { AuthenticationProvider } from '@microsoft/microsoft-graph-client';
import { CliError, ExitCode } from '../cli/errors.js';
import { registerSecret } from '../cli/redact.js';

export const DEFAULT_GRAPH_URL = 'https://graph.microsoft.com';
/** The token sent to a Graph on this machine (the emulator accepts any non-empty bearer token). */
export const LOCAL_GRAPH_TOKEN = 'local-emulator-token';

export type CredentialKind = 'access-token' | 'loopback' | 'azure';

export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return false;
  }
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export function credentialKind(graphUrl: string, env: NodeJS.ProcessEnv = process.env): CredentialKind {
  if (env.GRAPH_ACCESS_TOKEN) return 'access-token';
  if (isLoopbackUrl(graphUrl)) return 'loopback';
  return 'azure';
}

/** The Graph client's AuthenticationProvider, implemented for the three credential kinds. */
export class ScriptAuthProvider implements AuthenticationProvider {
  readonly kind: CredentialKind;
  private azure: Promise<() => Promise<string>> | undefined;

  constructor(private readonly graphUrl: string, env: NodeJS.ProcessEnv = process.env) {
    this.kind = credentialKind(graphUrl, env);
    if (this.kind === 'access-token') registerSecret(env.GRAPH_ACCESS_TOKEN);
    this.staticToken = this.kind === 'access-token' ? env.GRAPH_ACCESS_TOKEN! : this.kind === 'loopback' ? LOCAL_GRAPH_TOKEN : undefined;
  }

  private readonly staticToken: string | undefined;

  async getAccessToken(): Promise<string> {
    if (this.staticToken) return this.staticToken;
    this.azure ??= azureTokenSource(this.graphUrl);
    const token = await (await this.azure)();
    registerSecret(token);
    return token;
  }
}

async function azureTokenSource(graphUrl: string): Promise<() => Promise<string>> {
  // Loaded lazily: local runs never need @azure/identity.
  const { DefaultAzureCredential } = await import('@azure/identity');
  const credential = new DefaultAzureCredential();
  const scope = `${new URL(graphUrl).origin}/.default`;
  return async () => {
    try {
      const token = await credential.getToken(scope);
      if (!token) throw new Error('no token returned');
      return token.token;
    } catch (error) {
      throw new CliError(`No Azure credential could get a Graph token for ${scope}: ${firstLine((error as Error).message)}`, {
        exitCode: ExitCode.auth,
        code: 'GraphCredentialUnavailable',
        fix: 'Run `az login` (as a user with the permissions in docs/permissions.md), or in CI set up workload identity (AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE), or set GRAPH_ACCESS_TOKEN.',
      });
    }
  };
}

function firstLine(text: string): string {
  return text.split('\n')[0].slice(0, 300);
}
