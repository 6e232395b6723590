// review-mappings: compare provisioning/ at two revisions and print a PR comment (Markdown) or JSON.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadSampleDirectory, SampleDirectoryError } from '../../../provisioning/index.js';
import { CliError, ExitCode, type CommandSpec } from '../cli/index.js';
import { mappingChanges, objectChanges, previewSnapshot, targetAttributeChanges } from './compare.js';
import { defaultBase, repositoryRoot, resolveCommit } from './git.js';
import { lint } from './lint.js';
import { renderMarkdown, type Review } from './markdown.js';
import { loadRevision, loadWorkingTree, type Snapshot } from './snapshot.js';

export const reviewMappingsCommand: CommandSpec = {
  name: 'review-mappings',
  summary: 'Review attribute mapping changes between two revisions: a Markdown PR comment with the mapping changes, the SCIM payload of every sample user and group under each revision, and lint findings.',
  description: [
    'The base defaults to the merge base of HEAD with the main branch, the head to the working tree (uncommitted',
    'changes included). provisioning/ is loaded from each revision; both are evaluated with the current expression',
    'language against that revision\'s sample directory. Exits 1 when the head has lint errors (expressions that do not',
    'parse, targets missing from the schema, no matching attribute, required targets empty for sample users, role rules',
    'the sample violates).',
  ].join('\n'),
  options: {
    base: { type: 'string', valueName: 'rev', description: 'Revision to compare from (branch, tag, commit).', default: 'merge base with main' },
    head: { type: 'string', valueName: 'rev', description: 'Revision to compare to.', default: 'the working tree' },
    environment: { type: 'string', valueName: 'name', description: 'Environment whose parameters resolve the mappings.', env: 'REVIEW_ENVIRONMENT', default: 'local' },
    output: { type: 'string', valueName: 'file', description: 'Also write the Markdown to this file (e.g. for gh pr comment --body-file).' },
    sample: {
      type: 'string',
      valueName: 'file',
      description: "Preview both revisions against this sample directory (format: docs/sample-directory.md) instead of each revision's provisioning/sample-directory.json.",
    },
  },
  examples: [
    'npm run review-mappings',
    'npm run review-mappings -- --base origin/main --head HEAD --output review.md',
    'npm run review-mappings -- --json | jq .findings',
  ],
  async run(ctx) {
    const root = await repositoryRoot(process.cwd());
    const environment = ctx.string('environment')!;
    const base = ctx.given('base')
      ? { commit: await resolveCommit(root, ctx.string('base')!), description: ctx.string('base')! }
      : await defaultBase(root);
    const progress = ctx.out.progress('Loading provisioning/ at both revisions');
    let baseSnapshot: Snapshot;
    let headSnapshot: Snapshot;
    try {
      [baseSnapshot, headSnapshot] = await Promise.all([
        loadRevision(root, base.commit, environment),
        ctx.given('head') ? loadRevision(root, ctx.string('head')!, environment) : loadWorkingTree(root, environment),
      ]);
      progress.done();
    } catch (error) {
      progress.fail();
      throw error;
    }
    if (!headSnapshot.present) {
      throw new CliError(`The head (${headSnapshot.label}) has no provisioning/index.ts.`, {
        exitCode: ExitCode.usage,
        code: 'NothingToReview',
        fix: 'Run review-mappings in a checkout of entra-scim, or pass --head <rev> of a revision that has provisioning/.',
      });
    }
    const samplePath = ctx.string('sample');
    if (samplePath) {
      try {
        const sample = loadSampleDirectory(resolve(process.cwd(), samplePath));
        baseSnapshot = { ...baseSnapshot, sample };
        headSnapshot = { ...headSnapshot, sample, errors: headSnapshot.errors.filter((e) => !e.startsWith('SampleDirectoryError:')) };
      } catch (error) {
        if (error instanceof SampleDirectoryError) throw new CliError(error.message, { exitCode: ExitCode.usage, code: 'InvalidSampleDirectory', fix: 'Fix the entry named above (format: docs/sample-directory.md).' });
        throw error;
      }
    }
    const basePreview = previewSnapshot(baseSnapshot);
    const headPreview = previewSnapshot(headSnapshot);
    const review: Review = {
      base: {
        label: baseSnapshot.label,
        description: baseSnapshot.present ? base.description : `${base.description}; no provisioning/ there`,
        errors: baseSnapshot.errors,
      },
      head: { label: headSnapshot.label, description: ctx.given('head') ? ctx.string('head')! : 'uncommitted changes included' },
      environment,
      sample: headSnapshot.sample ? { users: headSnapshot.sample.users.length, groups: headSnapshot.sample.groups.length } : null,
      mappingChanges: mappingChanges(baseSnapshot, headSnapshot),
      targetAttributeChanges: targetAttributeChanges(baseSnapshot, headSnapshot),
      objects: objectChanges(basePreview, headPreview),
      findings: lint(headSnapshot, headPreview),
    };
    const markdown = renderMarkdown(review);
    const output = ctx.string('output');
    if (output) {
      try {
        writeFileSync(output, markdown);
      } catch (error) {
        throw new CliError(`Cannot write ${output}: ${(error as Error).message}`, { exitCode: ExitCode.usage, code: 'OutputNotWritable', fix: 'Pass a path in a writable folder.' });
      }
    }
    for (const line of markdown.trimEnd().split('\n')) ctx.out.line(line);
    const errors = review.findings.filter((f) => f.severity === 'error').length;
    ctx.out.result({
      ok: errors === 0,
      base: { revision: baseSnapshot.commit, label: review.base.label, description: review.base.description, errors: baseSnapshot.errors },
      head: { revision: headSnapshot.commit, label: review.head.label, description: review.head.description },
      environment,
      mappingChanges: review.mappingChanges,
      targetAttributeChanges: review.targetAttributeChanges,
      objects: review.objects.map((o) => ({
        objectType: o.objectType,
        id: o.id,
        label: o.label,
        status: o.status,
        before: o.before?.payload ?? null,
        after: o.after?.payload ?? null,
        diff: o.diff,
      })),
      findings: review.findings,
      summary: { errors, warnings: review.findings.length - errors, changedObjects: review.objects.filter((o) => o.status !== 'unchanged').length },
      markdown,
    });
    return errors > 0 ? ExitCode.checkFailed : ExitCode.ok;
  },
};
