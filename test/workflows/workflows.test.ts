/**
 * .github/workflows: valid YAML, only real action inputs (test/workflows/action-inputs.ts, copied from
 * each action.yml), Azure through OIDC without stored secrets, and the GitOps flow of issue 6:
 * tests + preview per stack with the policy pack + mapping review on PRs; build, up dev, up prod behind
 * an environment, upload-schema and verify-provisioning on merge.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { actionInputs } from './action-inputs.js';
import { environmentNames } from '../../provisioning/index.js';

const ROOT = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, ROOT), 'utf8');

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  id?: string;
}
interface Job {
  needs?: string | string[];
  environment?: string | { name: string };
  steps: Step[];
  strategy?: { matrix?: Record<string, unknown> };
  env?: Record<string, string>;
  outputs?: Record<string, string>;
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

const files = readdirSync(new URL('.github/workflows/', ROOT)).filter((f) => /\.ya?ml$/.test(f));
const workflows = Object.fromEntries(files.map((f) => [f, parse(read(`.github/workflows/${f}`)) as Workflow]));
const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
const stacks = readdirSync(new URL('./', ROOT))
  .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
  .filter((s): s is string => s !== undefined)
  .sort();

function steps(wf: Workflow): Array<Step & { job: string }> {
  return Object.entries(wf.jobs).flatMap(([job, j]) => j.steps.map((s) => ({ ...s, job })));
}
function needs(job: Job): string[] {
  return job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs];
}

describe('workflows', () => {
  it('has pr.yml and deploy.yml, both valid YAML with jobs', () => {
    expect(files.sort()).toEqual(['deploy.yml', 'pr.yml']);
    for (const wf of Object.values(workflows)) expect(Object.keys(wf.jobs).length).toBeGreaterThan(0);
  });

  it('uses only actions from the table, at the pinned major version, with real inputs only', () => {
    const problems: string[] = [];
    for (const [file, wf] of Object.entries(workflows)) {
      for (const step of steps(wf)) {
        if (!step.uses) continue;
        const [action, version] = step.uses.split('@');
        const known = actionInputs.find((a) => a.action.toLowerCase() === action.toLowerCase());
        if (!known) {
          problems.push(`${file}/${step.job}: ${step.uses} is not in action-inputs.ts`);
          continue;
        }
        if (version !== known.version) problems.push(`${file}/${step.job}: ${step.uses} pins ${version}, the table was read for ${known.version}`);
        for (const key of Object.keys(step.with ?? {})) {
          if (!known.inputs.includes(key)) problems.push(`${file}/${step.job}: ${action} has no input "${key}"`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('the input check itself catches a misspelled input', () => {
    const pulumi = actionInputs.find((a) => a.action === 'pulumi/actions')!;
    expect(pulumi.inputs).toContain('comment-on-pr');
    expect(pulumi.inputs).not.toContain('comment_on_pr');
    expect(pulumi.inputs).not.toContain('policy-packs');
  });

  it('logs in to Azure with OIDC (client-id/tenant-id/subscription-id, id-token: write) and references no stored secrets', () => {
    for (const [file, wf] of Object.entries(workflows)) {
      expect(wf.permissions?.['id-token'], file).toBe('write');
      const logins = steps(wf).filter((s) => s.uses?.toLowerCase().startsWith('azure/login@'));
      expect(logins.length, file).toBeGreaterThan(0);
      for (const login of logins) {
        expect(Object.keys(login.with ?? {}).sort()).toEqual(['client-id', 'subscription-id', 'tenant-id']);
      }
      expect(read(`.github/workflows/${file}`)).not.toMatch(/\$\{\{\s*secrets\./);
    }
  });

  it('pr.yml: npm ci + npm test, then a preview per stack with PR comment and the policy pack', () => {
    const wf = workflows['pr.yml'];
    expect(Object.keys(wf.on)).toEqual(['pull_request']);
    expect(wf.permissions?.['pull-requests']).toBe('write');
    const test = wf.jobs.test.steps.map((s) => s.run).filter(Boolean);
    expect(test).toEqual(['npm ci', 'npm test']);
    const preview = wf.jobs.preview;
    expect(needs(preview)).toEqual(['test']);
    expect((preview.strategy?.matrix?.stack as string[]).slice().sort()).toEqual(stacks);
    const run = preview.steps.find((s) => s.uses?.startsWith('pulumi/actions@') && s.with?.command === 'preview');
    expect(run?.with).toMatchObject({ 'stack-name': '${{ matrix.stack }}', 'comment-on-pr': true, policyPacks: 'policy' });
  });

  it('pr.yml: the review-mappings Markdown is posted as a second, separate comment', () => {
    const job = workflows['pr.yml'].jobs['mappings-review'];
    const checkout = job.steps.find((s) => s.uses?.startsWith('actions/checkout@'));
    expect(checkout?.with?.['fetch-depth']).toBe(0);
    const review = job.steps.find((s) => s.run?.includes('review-mappings'));
    const output = /--output (\S+)/.exec(review?.run ?? '')?.[1];
    expect(output).toBeDefined();
    const comment = job.steps.find((s) => s.uses?.startsWith('marocchino/sticky-pull-request-comment@'));
    expect(comment?.with).toEqual({ header: 'mappings-review', path: output });
  });

  it('deploy.yml: build + push the image, up dev, then prod behind an environment, each followed by upload-schema and verify-provisioning', () => {
    const wf = workflows['deploy.yml'];
    expect(wf.on).toHaveProperty('push');
    expect((wf.on.push as { branches: string[] }).branches).toEqual(['main']);
    const build = wf.jobs.image.steps.find((s) => s.uses?.startsWith('docker/build-push-action@'));
    expect(build?.with).toMatchObject({ push: true, file: 'service/Dockerfile', context: '.' });
    expect(wf.jobs.image.outputs?.image).toMatch(/@\$\{\{ steps\.build\.outputs\.digest \}\}$/);
    expect(needs(wf.jobs['deploy-dev'])).toEqual(['image']);
    expect(needs(wf.jobs['deploy-prod'])).toEqual(expect.arrayContaining(['image', 'deploy-dev']));
    expect(wf.jobs['deploy-prod'].environment).toBe('prod');
    for (const [job, stack] of [['deploy-dev', 'dev'], ['deploy-prod', 'prod']] as const) {
      const s = wf.jobs[job].steps;
      const up = s.findIndex((x) => x.uses?.startsWith('pulumi/actions@') && x.with?.command === 'up');
      expect(s[up].with).toMatchObject({ 'stack-name': stack, policyPacks: 'policy' });
      expect(String(s[up].with?.['config-map'])).toContain('needs.image.outputs.image');
      const upload = s.findIndex((x) => x.run?.includes('npm run --silent upload-schema'));
      const verify = s.findIndex((x) => x.run?.includes('npm run --silent verify-provisioning'));
      expect(upload).toBeGreaterThan(up);
      expect(verify).toBeGreaterThan(upload);
      expect(s[upload].run).toContain(`--stack ${stack}`);
      expect(s[verify].run).toContain(`--stack ${stack}`);
    }
  });

  it('config-map values parse to the entra-scim:image key', () => {
    for (const wf of Object.values(workflows)) {
      for (const step of steps(wf).filter((s) => s.with?.['config-map'] !== undefined)) {
        const text = String(step.with?.['config-map']).replace(/\$\{\{[^}]+\}\}/g, 'IMAGE');
        expect(parse(text)).toEqual({ 'entra-scim:image': { value: 'IMAGE', secret: false } });
      }
    }
  });

  it('every `npm run <script>` exists in package.json and the policy pack folder exists', () => {
    for (const wf of Object.values(workflows)) {
      for (const step of steps(wf)) {
        for (const m of (step.run ?? '').matchAll(/npm run (?:--silent )?([\w:-]+)/g)) expect(scripts, m[1]).toHaveProperty(m[1]);
      }
    }
    expect(existsSync(new URL('policy/PulumiPolicy.yaml', ROOT))).toBe(true);
  });

  it('docs/deploy.md lists exactly the action inputs the workflows use', () => {
    const used = new Map<string, Set<string>>();
    for (const wf of Object.values(workflows)) {
      for (const step of steps(wf)) {
        if (!step.uses) continue;
        const set = used.get(step.uses) ?? new Set<string>();
        for (const key of Object.keys(step.with ?? {})) set.add(key);
        used.set(step.uses, set);
      }
    }
    const doc = read('docs/deploy.md');
    const section = doc.slice(doc.indexOf('### Action inputs used'), doc.indexOf('### Repository and environment variables'));
    const documented = new Map<string, Set<string>>();
    for (const m of section.matchAll(/^\| `([^`]+@v\d+)` \| (.+) \|$/gm)) {
      documented.set(m[1], new Set([...m[2].matchAll(/`([^`]+)`/g)].map((x) => x[1]).filter((k) => k !== 'creds')));
    }
    expect([...documented.keys()].sort()).toEqual([...used.keys()].sort());
    for (const [action, keys] of used) expect([...(documented.get(action) ?? [])].sort(), action).toEqual([...keys].sort());
  });

  it('every Pulumi stack is a provisioning/ environment (the deploy passes --environment <stack>)', () => {
    expect(stacks).toEqual(['dev', 'prod']);
    for (const stack of stacks) expect(environmentNames as readonly string[]).toContain(stack);
  });
});
