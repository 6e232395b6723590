// The SCIM bearer token comes from a file, the environment, or Key Vault (Pulumi output
// scimTokenSecretUri), never from a command-line value (it would land in shell history and `ps`).
import { CliError, ExitCode } from './cli/errors.js';
import { registerSecret } from './cli/redact.js';
import { readTokenFile } from './inputs.js';

export type TokenSource = 'file' | 'env' | 'key-vault';

export async function readScimToken(sources: { file?: string; env?: string; secretUri?: string }): Promise<{ token: string; source: TokenSource } | undefined> {
  if (sources.file) return remember({ token: await readTokenFile(sources.file), source: 'file' });
  if (sources.env) return remember({ token: sources.env.trim(), source: 'env' });
  if (sources.secretUri) return remember({ token: await fromKeyVault(sources.secretUri), source: 'key-vault' });
  return undefined;
}

function remember(value: { token: string; source: TokenSource }): { token: string; source: TokenSource } {
  registerSecret(value.token);
  return value;
}

async function fromKeyVault(uri: string): Promise<string> {
  const { SecretClient, parseKeyVaultSecretIdentifier } = await import('@azure/keyvault-secrets');
  const { DefaultAzureCredential } = await import('@azure/identity');
  let id: { vaultUrl: string; name: string; version?: string };
  try {
    id = parseKeyVaultSecretIdentifier(uri);
  } catch {
    throw new CliError(`'${uri}' is not a Key Vault secret URI.`, { exitCode: ExitCode.usage, code: 'UsageError', fix: 'Pass --token-secret-uri https://<vault>.vault.azure.net/secrets/<name> (Pulumi output scimTokenSecretUri).' });
  }
  try {
    const secret = await new SecretClient(id.vaultUrl, new DefaultAzureCredential()).getSecret(id.name, id.version ? { version: id.version } : {});
    if (!secret.value) throw new Error('the secret has no value');
    return secret.value;
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    throw new CliError(`Could not read the SCIM token from Key Vault secret ${id.name} in ${id.vaultUrl}: ${status ? `HTTP ${status}` : (error as Error).message.split('\n')[0]}.`, {
      exitCode: status === 404 ? ExitCode.notFound : status === 401 || status === 403 || !status ? ExitCode.auth : ExitCode.remote,
      code: 'KeyVaultSecretUnavailable',
      fix: 'Sign in with an identity that has the "Key Vault Secrets User" role on the vault (az login), or pass --token-file / SCIM_TOKEN instead.',
    });
  }
}
