// The admin CLI's commands: argument parsing, calls into the shared admin operations, human or JSON output.
// `admin.ts` is the thin entry point (process, exit code).
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  AdminError, createTenant, deleteTenant, issueToken, listAudit, listTenants, listTokens, revokeToken, getPolicies, setPolicies, getSchemas, setSchemas,
  type TenantSchemas,
  type TenantSummary, type TokenInfo,
} from '../admin/operations.js';
import { defaultDatabaseUrl, openStorage, StorageUnavailableError, type Storage } from '../storage/index.js';
import type { TenantPolicies } from '../policies/index.js';

export const usage = `scim-admin: manage tenants, tokens, policies and the audit log of the SCIM service.
It works directly on the database named by DATABASE_URL (default ${defaultDatabaseUrl}).

Usage: npm run scim-admin -- <command> [options]

Commands:
  tenant create <name> [--custom-schema <urn>]...   create a tenant (its SCIM URL is /scim/<name>)
  tenant list                                       list tenants with their number of active tokens
  tenant delete <name> --yes                        delete a tenant with ALL its users, groups, tokens and audit log
  token issue --tenant <name> [--label <text>]      issue a bearer token; it is printed once and never again
  token list --tenant <name>                        list token ids, labels and state (never the secrets)
  token revoke --tenant <name> <token-id>           revoke a token (other active tokens keep working)
  policies get --tenant <name>                      show the tenant's policies
  policies set --tenant <name> (<json> | --file <path>) [--replace]
                                                    change policies; fields left out keep their value,
                                                    or are switched off with --replace
  schemas get --tenant <name>                       show the tenant's custom extension schemas
  schemas set --tenant <name> (<json> | --file <path>)
                                                    replace them: {"customExtensions": [...], "customSchemas": [...]}
  audit list --tenant <name> [--limit <n>] [--cursor <c>]
                                                    audit log, newest first; --cursor pages to older entries

Options:
  --database-url <url>   overrides DATABASE_URL (sqlite:<path>, sqlite::memory:, postgres://…)
  --json                 machine-readable output on stdout
  -h, --help             this help

Policies (JSON object, all off by default):
  {"requiredUserAttributes": ["userName", "displayName", "emails[type eq \\"work\\"].value"],
   "allowedRoleValues": ["Admin", "User"], "singleRoleBesidesDefault": {"defaultRole": "User"},
   "linkOnCreate": true, "deactivateWhenRemovedFromAllGroups": true}

Custom extension schemas (Entra's custom attributes, discoverable in /Schemas):
  {"customExtensions": [{"name": "Contoso", "attributes": [{"name": "costCenter"},
     {"name": "clearance", "type": "integer"}]}],
   "customSchemas": ["urn:ietf:params:scim:schemas:extension:Legacy:2.0:User"]}

Exit codes: 0 success, 1 the operation failed, 2 wrong usage.`;

/** Wrong usage: exit code 2 with a hint. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface CliIo {
  out(text: string): void;
  env: NodeJS.ProcessEnv;
}

export interface CliResult {
  exitCode: number;
}

const options = {
  'database-url': { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  tenant: { type: 'string' },
  label: { type: 'string' },
  'custom-schema': { type: 'string', multiple: true },
  yes: { type: 'boolean', default: false },
  file: { type: 'string' },
  replace: { type: 'boolean', default: false },
  limit: { type: 'string' },
  cursor: { type: 'string' },
} as const;

const knownCommands = new Set([
  'tenant create', 'tenant list', 'tenant delete', 'token issue', 'token list', 'token revoke', 'policies get', 'policies set',
  'schemas get', 'schemas set', 'audit list',
]);

type Values = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>['values'];

/** A database URL safe to print (no password). */
export function redactDatabaseUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

function needTenant(values: Values, command: string): string {
  if (!values.tenant) throw new UsageError(`${command} needs --tenant <name>`);
  return values.tenant;
}

function needPositional(positionals: string[], index: number, what: string, command: string): string {
  const value = positionals[index];
  if (value === undefined) throw new UsageError(`${command} needs ${what}`);
  if (positionals.length > index + 1) throw new UsageError(`unexpected argument "${positionals[index + 1]}" after ${command} ${value}`);
  return value;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

function tenantsText(tenants: TenantSummary[], databaseUrl: string): string {
  // Naming the database helps when DATABASE_URL points somewhere unexpected (e.g. a relative SQLite path).
  if (tenants.length === 0) return `No tenants in ${redactDatabaseUrl(databaseUrl)}. Create one with: npm run scim-admin -- tenant create <name>`;
  return table([['NAME', 'CREATED', 'ACTIVE TOKENS', 'CUSTOM SCHEMAS'], ...tenants.map((t) => [t.name, t.created, String(t.activeTokens), t.customSchemas.join(', ')])]);
}

function tokensText(tenant: string, tokens: TokenInfo[]): string {
  if (tokens.length === 0) return `No tokens in tenant "${tenant}". Issue one with: npm run scim-admin -- token issue --tenant ${tenant}`;
  return table([['ID', 'LABEL', 'CREATED', 'STATE'], ...tokens.map((t) => [t.id, t.label ?? '', t.created, t.active ? 'active' : `revoked ${t.revoked}`])]);
}

function policiesText(p: TenantPolicies): string {
  const onOff = (v: boolean) => (v ? 'on' : 'off');
  return [
    `requiredUserAttributes:             ${p.requiredUserAttributes.length ? p.requiredUserAttributes.join(', ') : 'off'}`,
    `allowedRoleValues:                  ${p.allowedRoleValues ? p.allowedRoleValues.join(', ') : 'off (any value)'}`,
    `singleRoleBesidesDefault:           ${p.singleRoleBesidesDefault ? `on (default role "${p.singleRoleBesidesDefault.defaultRole}")` : 'off'}`,
    `linkOnCreate:                       ${onOff(p.linkOnCreate)}`,
    `deactivateWhenRemovedFromAllGroups: ${onOff(p.deactivateWhenRemovedFromAllGroups)}`,
  ].join('\n');
}

function schemasText(tenant: string, s: TenantSchemas): string {
  if (s.customExtensions.length === 0 && s.customSchemas.length === 0) return `Tenant "${tenant}" has no custom extension schemas.`;
  const lines: string[] = [];
  for (const ext of s.customExtensions) {
    lines.push(`urn:ietf:params:scim:schemas:extension:${ext.name}:2.0:User`);
    for (const a of ext.attributes) lines.push(`  ${a.name} (${a.type ?? 'string'}${a.multiValued ? ', multi-valued' : ''}${a.required ? ', required' : ''})`);
  }
  for (const urn of s.customSchemas) lines.push(`${urn} (attributes not declared)`);
  return lines.join('\n');
}

async function readJsonInput(values: Values, positionals: string[], command: string): Promise<unknown> {
  const inline = positionals[2];
  if (positionals.length > 3) throw new UsageError(`unexpected argument "${positionals[3]}"; quote the JSON as one argument`);
  if ((inline === undefined) === (values.file === undefined)) throw new UsageError(`${command} needs one JSON argument or --file <path> (not both)`);
  let text: string;
  if (values.file !== undefined) {
    try {
      text = await readFile(values.file, 'utf8');
    } catch (error) {
      throw new AdminError(1, `cannot read --file ${values.file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  } else text = inline!;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`the ${command.split(' ')[0]} are not valid JSON (${(error as Error).message}); see --help for an example`);
  }
}

type Action = (storage: Storage) => Promise<void>;

/** Checks the arguments (without touching the database) and returns the work to do. */
async function prepare(values: Values, positionals: string[], io: CliIo, databaseUrl: string): Promise<Action> {
  const [group, action] = positionals;
  const json = values.json;
  const print = (data: unknown, text: string) => io.out(json ? JSON.stringify(data, null, 2) : text);
  const command = `${group} ${action ?? ''}`.trim();

  switch (command) {
    case 'tenant create': {
      const name = needPositional(positionals, 2, 'a tenant name', command);
      return async (storage) => {
        const tenant = await createTenant(storage, name, values['custom-schema'] ? { customSchemas: values['custom-schema'] } : {});
        print(tenant, `Created tenant "${tenant.name}". Its SCIM URL is <service URL>/scim/${tenant.name}.\nNext: npm run scim-admin -- token issue --tenant ${tenant.name}`);
      };
    }
    case 'tenant list':
      return async (storage) => {
        const tenants = await listTenants(storage);
        print({ tenants }, tenantsText(tenants, databaseUrl));
      };
    case 'tenant delete': {
      const name = needPositional(positionals, 2, 'a tenant name', command);
      if (!values.yes) throw new UsageError(`tenant delete removes tenant "${name}" with all its users, groups, tokens and audit log; add --yes to confirm`);
      return async (storage) => {
        await deleteTenant(storage, name);
        print({ deleted: name }, `Deleted tenant "${name}".`);
      };
    }
    case 'token issue': {
      const tenant = needTenant(values, command);
      if (positionals.length > 2) throw new UsageError(`unexpected argument "${positionals[2]}"; use --label <text>`);
      return async (storage) => {
        const issued = await issueToken(storage, tenant, values.label);
        print(issued, [
          `Issued token ${issued.id} for tenant "${tenant}"${issued.label ? ` (${issued.label})` : ''}.`,
          'Copy it now (e.g. into the Entra provisioning "Secret Token" or Key Vault): it is not stored and will not be shown again.',
          '',
          issued.token,
        ].join('\n'));
      };
    }
    case 'token list': {
      const tenant = needTenant(values, command);
      return async (storage) => {
        const tokens = await listTokens(storage, tenant);
        print({ tokens }, tokensText(tenant, tokens));
      };
    }
    case 'token revoke': {
      const tenant = needTenant(values, command);
      const id = needPositional(positionals, 2, 'a token id (see token list)', command);
      return async (storage) => {
        await revokeToken(storage, tenant, id);
        print({ revoked: id, tenant }, `Revoked token ${id} of tenant "${tenant}".`);
      };
    }
    case 'policies get': {
      const tenant = needTenant(values, command);
      return async (storage) => {
        const policies = await getPolicies(storage, tenant);
        print(policies, policiesText(policies));
      };
    }
    case 'policies set': {
      const tenant = needTenant(values, command);
      const input = await readJsonInput(values, positionals, command);
      return async (storage) => {
        const policies = await setPolicies(storage, tenant, input, values.replace ? 'replace' : 'merge');
        print(policies, `Policies of tenant "${tenant}" are now:\n${policiesText(policies)}`);
      };
    }
    case 'schemas get': {
      const tenant = needTenant(values, command);
      return async (storage) => {
        const schemas = await getSchemas(storage, tenant);
        print(schemas, schemasText(tenant, schemas));
      };
    }
    case 'schemas set': {
      const tenant = needTenant(values, command);
      const input = await readJsonInput(values, positionals, command);
      return async (storage) => {
        const schemas = await setSchemas(storage, tenant, input);
        print(schemas, `Schemas of tenant "${tenant}" are now:\n${schemasText(tenant, schemas)}`);
      };
    }
    case 'audit list': {
      const tenant = needTenant(values, command);
      return async (storage) => {
        const page = await listAudit(storage, tenant, {
          ...(values.limit !== undefined ? { limit: values.limit } : {}),
          ...(values.cursor !== undefined ? { cursor: values.cursor } : {}),
        });
        const text = page.entries.length === 0
          ? `No audit entries${values.cursor ? ' before this cursor' : ''} in tenant "${tenant}".`
          : table([['SEQ', 'TIME', 'METHOD', 'RESOURCE', 'STATUS', 'OUTCOME', 'TOKEN', 'SUMMARY'], ...page.entries.map((e) => [
            String(e.seq), e.time, e.method + (e.dryRun ? ' (dry run)' : ''), [e.resourceType, e.resourceId].filter(Boolean).join(' '), String(e.status), e.outcome, e.tokenId ?? '', e.summary,
          ])]) + (page.nextCursor ? `\nOlder entries: npm run scim-admin -- audit list --tenant ${tenant} --cursor ${page.nextCursor}` : '');
        print(page, text);
      };
    }
    default:
      throw new UsageError(`unknown command "${command}"; commands: ${[...knownCommands].join(', ')}`);
  }
}

/** Runs the CLI; never throws. Errors go to `err` as one line that says what to fix. */
export async function main(argv: string[], io: CliIo & { err(text: string): void }): Promise<CliResult> {
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true }));
  } catch (error) {
    io.err(`scim-admin: ${(error as Error).message}\nRun with --help for usage.`);
    return { exitCode: 2 };
  }
  if (values.help) {
    io.out(usage);
    return { exitCode: 0 };
  }
  const databaseUrl = values['database-url'] ?? io.env.DATABASE_URL ?? defaultDatabaseUrl;
  const fail = (error: unknown): CliResult => {
    if (error instanceof UsageError) {
      io.err(`scim-admin: ${error.message}\nRun with --help for usage.`);
      return { exitCode: 2 };
    }
    if (error instanceof AdminError) io.err(`scim-admin: ${error.message}`);
    else if (error instanceof StorageUnavailableError) io.err(`scim-admin: the database ${redactDatabaseUrl(databaseUrl)} is unavailable (${error.message}); check DATABASE_URL and that the database is reachable`);
    else io.err(`scim-admin: ${(error as Error).name === 'StorageConfigError' ? '' : 'unexpected error: '}${(error as Error).message ?? String(error)}`);
    return { exitCode: 1 };
  };
  // Validate usage before touching the database (no file is created for a typo).
  if (positionals.length === 0) return fail(new UsageError('no command given'));
  let action: Action;
  let storage: Storage;
  try {
    action = await prepare(values, positionals, io, databaseUrl);
    storage = await openStorage(databaseUrl);
  } catch (error) {
    return fail(error);
  }
  try {
    await action(storage);
    return { exitCode: 0 };
  } catch (error) {
    return fail(error);
  } finally {
    await storage.close().catch(() => undefined);
  }
}
