/** The whole program with Pulumi.dev.yaml against the mocks (assertions in stack-suite.ts). */
import { beforeAll, describe } from 'vitest';
import { runStack, type StackRun } from './stack.js';
import { stackSuite } from './stack-suite.js';

let run: StackRun;
beforeAll(async () => {
  run = await runStack('dev');
});

describe('stack dev', () => {
  stackSuite(() => run);
});
