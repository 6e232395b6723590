// The part of newman's programmatic API (newman 6.2.2, no bundled types) that test/newman/run.ts uses.
declare module 'newman' {
  import type { EventEmitter } from 'node:events';

  export interface VariableDefinition {
    key: string;
    value: string;
  }

  /** postman-collection objects as newman hands them to callbacks (only the members we read). */
  export interface PostmanItem {
    name: string;
    id?: string;
    parent?(): PostmanItem | undefined;
  }

  export interface VariableScope {
    set(key: string, value: string, type?: string): void;
  }

  export interface RunFailure {
    error: { name: string; message: string; test?: string };
    at?: string;
    source?: PostmanItem;
    parent?: PostmanItem;
  }

  export interface RunStatsEntry {
    total: number;
    pending: number;
    failed: number;
  }

  export interface RunSummary {
    environment: VariableScope;
    run: {
      stats: {
        iterations: RunStatsEntry;
        items: RunStatsEntry;
        scripts: RunStatsEntry;
        prerequests: RunStatsEntry;
        requests: RunStatsEntry;
        tests: RunStatsEntry;
        assertions: RunStatsEntry;
        testScripts: RunStatsEntry;
        prerequestScripts: RunStatsEntry;
      };
      failures: RunFailure[];
      error?: unknown;
    };
  }

  export interface NewmanRunOptions {
    collection: unknown;
    envVar?: VariableDefinition[];
    globalVar?: VariableDefinition[];
    reporters?: string | string[];
    reporter?: Record<string, Record<string, unknown>>;
    timeoutRequest?: number;
    timeout?: number;
    bail?: boolean;
  }

  export interface NewmanRunEmitter extends EventEmitter {
    summary: RunSummary;
  }

  export function run(options: NewmanRunOptions, callback?: (error: Error | null, summary: RunSummary) => void): NewmanRunEmitter;

  const newman: { run: typeof run };
  export default newman;
}
