/**
 * The inputs of every action the workflows use, copied from each action's `action.yml` (repository,
 * commit read, and the full input list). The workflow test fails when a step passes an input that is
 * not listed here, so a typo or a removed input cannot slip through. Update an entry by reading the
 * action.yml of the version the workflows pin, and record the commit.
 */
export interface ActionInputs {
  /** `owner/name` as used in `uses:` (compared case-insensitively, like GitHub does). */
  readonly action: string;
  /** Major version tag the workflows pin. */
  readonly version: string;
  /** Where the list was read. */
  readonly source: string;
  readonly inputs: readonly string[];
}

export const actionInputs: readonly ActionInputs[] = [
  {
    action: 'actions/checkout',
    version: 'v4',
    source: 'actions/checkout action.yml @ f67ee5d6224ccd5af1909d53ea1faa5efb91db29',
    inputs: ['repository', 'ref', 'token', 'ssh-key', 'ssh-known-hosts', 'ssh-strict', 'persist-credentials', 'path', 'clean', 'fetch-depth', 'lfs', 'submodules', 'set-safe-directory'],
  },
  {
    action: 'actions/setup-node',
    version: 'v4',
    source: 'actions/setup-node action.yml @ 76a4cff9ae9abd877db3173c31637296d870a25b (node-version and cache are unchanged in v4)',
    inputs: ['always-auth', 'node-version', 'architecture', 'check-latest', 'registry-url', 'scope', 'token', 'cache', 'cache-dependency-path', 'version'],
  },
  {
    action: 'azure/login',
    version: 'v2',
    source: 'Azure/login action.yml @ 6dea23c36d970fc570470cc51088bf2f9e6efef8',
    inputs: ['creds', 'client-id', 'tenant-id', 'subscription-id', 'enable-AzPSSession', 'environment', 'allow-no-subscriptions', 'audience', 'auth-type'],
  },
  {
    action: 'pulumi/actions',
    version: 'v6',
    source: 'pulumi/actions action.yml @ 4ddd4329226d5f7fdca0bc1fe3a0a659f4de25fe (runs on node20)',
    inputs: [
      'command', 'stack-name', 'pulumi-version', 'pulumi-version-file', 'work-dir', 'comment-on-pr', 'comment-on-pr-number',
      'comment-on-summary', 'github-token', 'cloud-url', 'secrets-provider', 'parallel', 'message', 'config-map',
      'expect-no-changes', 'diff', 'replace', 'target', 'target-dependents', 'policyPacks', 'policyPackConfigs', 'refresh',
      'upsert', 'remove', 'edit-pr-comment', 'color', 'exclude-protected', 'plan', 'suppress-outputs', 'suppress-progress',
      'always-include-summary',
    ],
  },
  {
    action: 'docker/setup-buildx-action',
    version: 'v3',
    source: 'used without inputs',
    inputs: [],
  },
  {
    action: 'docker/build-push-action',
    version: 'v6',
    source: 'docker/build-push-action action.yml @ 0259cb088b9283926c6ffe4374b2a06a25c8c131',
    inputs: [
      'add-hosts', 'allow', 'annotations', 'attests', 'build-args', 'build-contexts', 'builder', 'cache-from', 'cache-to', 'call',
      'cgroup-parent', 'context', 'file', 'labels', 'load', 'network', 'no-cache', 'no-cache-filters', 'outputs', 'platforms',
      'provenance', 'pull', 'push', 'sbom', 'secrets', 'secret-envs', 'secret-files', 'shm-size', 'ssh', 'tags', 'target', 'ulimit',
      'github-token',
    ],
  },
  {
    action: 'marocchino/sticky-pull-request-comment',
    version: 'v2',
    source: 'marocchino/sticky-pull-request-comment action.yml @ 3133cd77c5253bb089fa9567a6b530ccd9e90a30',
    inputs: ['header', 'append', 'recreate', 'delete', 'hide_details', 'hide', 'hide_and_recreate', 'hide_classify', 'message', 'path', 'number', 'repo', 'GITHUB_TOKEN'],
  },
];
