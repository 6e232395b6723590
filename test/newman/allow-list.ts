// The allow-list of Microsoft Postman collection expectations that belong only to Microsoft's reference
// server (shared/external/SOURCE.md), and the matching of newman failures against it.

import type { PostmanItem, RunFailure } from 'newman';

export interface AllowListEntry {
  /** `<folder>/<request name>` as in the collection (top-level requests have no folder). */
  readonly request: string;
  /** The `pm.test` name. */
  readonly assertion: string;
  readonly reason: string;
  readonly line: number;
}

export class AllowListError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AllowListError';
  }
}

/** One entry per line: `<folder>/<request> | <assertion> | <reason>`; `#` comments and blank lines ignored. */
export function parseAllowList(text: string): AllowListEntry[] {
  const entries: AllowListEntry[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const parts = line.split(' | ').map((p) => p.trim());
    if (parts.length < 3 || parts.slice(0, 3).some((p) => p === '')) {
      throw new AllowListError(
        `allow-list line ${index + 1}: expected "<folder>/<request> | <assertion> | <reason>", got "${line.slice(0, 80)}"`,
      );
    }
    entries.push({ request: parts[0], assertion: parts[1], reason: parts.slice(2).join(' | '), line: index + 1 });
  });
  return entries;
}

/** `<folder>/<request>` for an item, from postman-collection's parent chain (the collection itself excluded). */
export function itemPath(item: PostmanItem | undefined): string {
  const names: string[] = [];
  let current: PostmanItem | undefined = item;
  while (current) {
    const parent: PostmanItem | undefined = typeof current.parent === 'function' ? current.parent() : undefined;
    if (parent === undefined) break; // the collection root
    names.unshift(current.name);
    current = parent;
  }
  if (names.length === 0 && item) names.push(item.name);
  return names.join('/');
}

export interface ClassifiedFailure {
  readonly request: string;
  readonly assertion: string;
  readonly message: string;
  /** Failures inside a `pm.test` can be allow-listed; script-level or request errors never are. */
  readonly kind: 'assertion' | 'error';
  readonly allowListedBy?: AllowListEntry;
}

export function classifyFailures(failures: readonly RunFailure[], allowList: readonly AllowListEntry[]): ClassifiedFailure[] {
  return failures.map((failure) => {
    const request = itemPath(failure.source);
    const isAssertion = failure.error.test !== undefined;
    const assertion = failure.error.test ?? failure.at ?? failure.error.name;
    const entry = isAssertion ? allowList.find((e) => e.request === request && e.assertion === assertion) : undefined;
    return {
      request,
      assertion,
      message: failure.error.message,
      kind: isAssertion ? 'assertion' : 'error',
      ...(entry ? { allowListedBy: entry } : {}),
    };
  });
}

/** Entries that matched no failure: the service now passes them, so the line should go. */
export function unusedEntries(allowList: readonly AllowListEntry[], classified: readonly ClassifiedFailure[]): AllowListEntry[] {
  return allowList.filter((entry) => !classified.some((c) => c.allowListedBy === entry));
}
