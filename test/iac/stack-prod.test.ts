/** The whole program with Pulumi.prod.yaml against the mocks (assertions in stack-suite.ts). */
import { beforeAll, describe } from 'vitest';
import { runStack, type StackRun } from './stack.js';
import { stackSuite } from './stack-suite.js';

let run: StackRun;
beforeAll(async () => {
  run = await runStack('prod');
});

describe('stack prod', () => {
  stackSuite(() => run);
});
