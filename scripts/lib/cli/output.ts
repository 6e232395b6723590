// Human output goes to stdout, progress and diagnostics to stderr; with --json, stdout carries exactly one
// JSON document so CI can pipe it into jq. Everything printed is redacted first.
import { redact, redactValue } from './redact.js';

export interface Output {
  readonly json: boolean;
  /** A line of human output (suppressed with --json). */
  line(text?: string): void;
  /** A note on stderr (shown in both modes): warnings, retries. */
  note(text: string): void;
  /** Live progress on stderr; a single rewritten line on a terminal, plain lines otherwise. */
  progress(label: string): Progress;
  /** The final --json document (ignored in human mode). */
  result(document: unknown): void;
}

export interface Progress {
  update(completed: number, total?: number, detail?: string): void;
  done(summary?: string): void;
  fail(summary?: string): void;
}

interface Stream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export function createOutput(options: { json: boolean; stdout?: Stream; stderr?: Stream }): Output {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const tty = Boolean(stderr.isTTY) && !process.env.CI;
  return {
    json: options.json,
    line(text = '') {
      if (!options.json) stdout.write(`${redact(text)}\n`);
    },
    note(text) {
      stderr.write(`${redact(text)}\n`);
    },
    progress(label) {
      return tty ? ttyProgress(stderr, label) : plainProgress(stderr, label, options.json);
    },
    result(document) {
      if (options.json) stdout.write(`${JSON.stringify(redactValue(document), null, 2)}\n`);
    },
  };
}

const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

function bar(completed: number, total: number): string {
  const width = 20;
  const filled = total > 0 ? Math.min(width, Math.round((completed / total) * width)) : 0;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${completed}/${total}`;
}

function ttyProgress(stream: Stream, label: string): Progress {
  let frame = 0;
  let text = '';
  const render = (): void => {
    stream.write(`\r\x1b[2K${frames[frame++ % frames.length]} ${redact(label)}${text ? ` ${redact(text)}` : ''}`);
  };
  render();
  const timer = setInterval(render, 120);
  timer.unref();
  const finish = (mark: string, summary?: string): void => {
    clearInterval(timer);
    stream.write(`\r\x1b[2K${mark} ${redact(label)}${summary ? `: ${redact(summary)}` : ''}\n`);
  };
  return {
    update(completed, total, detail) {
      text = [total !== undefined ? bar(completed, total) : String(completed), detail].filter(Boolean).join(' ');
      render();
    },
    done: (summary) => finish('✔', summary),
    fail: (summary) => finish('✖', summary),
  };
}

/** Without a terminal (CI logs, tests) progress prints start and end lines, and at most one update per 2 s. */
function plainProgress(stream: Stream, label: string, quiet: boolean): Progress {
  let last = 0;
  if (!quiet) stream.write(`… ${redact(label)}\n`);
  return {
    update(completed, total, detail) {
      const now = Date.now();
      if (quiet || now - last < 2000) return;
      last = now;
      stream.write(`  ${redact(label)}: ${total !== undefined ? `${completed}/${total}` : completed}${detail ? ` ${redact(detail)}` : ''}\n`);
    },
    done(summary) {
      if (!quiet) stream.write(`✔ ${redact(label)}${summary ? `: ${redact(summary)}` : ''}\n`);
    },
    fail(summary) {
      stream.write(`✖ ${redact(label)}${summary ? `: ${redact(summary)}` : ''}\n`);
    },
  };
}

/** A plain-text table (the summary tables of verify-provisioning and provisioning-logs). */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (cells: string[]): string => cells.map((c, i) => (c ?? '').padEnd(widths[i])).join('  ').trimEnd();
  return [fmt(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n');
}
