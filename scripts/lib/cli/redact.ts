// Secrets never reach the terminal, logs or --json output: every string printed goes through redact().

const secrets = new Set<string>();

/** Remembers a secret value (SCIM token, access token) so that any later output masks it. */
export function registerSecret(value: string | undefined | null): void {
  if (value && value.length >= 4) secrets.add(value);
}

const patterns: [RegExp, string][] = [
  [/(bearer\s+)[A-Za-z0-9\-._~+/]+=*/gi, '$1***'],
  // JSON Web Tokens (access tokens) even when not registered.
  [/eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, '***'],
  // "SecretToken" values in serialised credential lists.
  [/("key"\s*:\s*"SecretToken"\s*,\s*"value"\s*:\s*")[^"]*(")/g, '$1***$2'],
];

export function redact(text: string): string {
  let out = text;
  // Longest first so a secret containing another one is masked whole.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) out = out.split(secret).join('***');
  for (const [pattern, replacement] of patterns) out = out.replace(pattern, replacement);
  return out;
}

/** Deep-redacts a JSON-able value (for --json documents). */
export function redactValue<T>(value: T): T {
  return JSON.parse(redact(JSON.stringify(value) ?? 'null')) as T;
}
