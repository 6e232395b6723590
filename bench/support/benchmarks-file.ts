// Every benchmark owns one section of BENCHMARKS.md, between `<!-- bench:<name> -->` and
// `<!-- /bench:<name> -->`; writing replaces that section only (or appends it the first time).
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const file = fileURLToPath(new URL('../../BENCHMARKS.md', import.meta.url));

/** `body` is the section's Markdown without its markers. */
export function writeBenchmarkSection(name: string, body: string): void {
  const open = `<!-- bench:${name} -->`;
  const close = `<!-- /bench:${name} -->`;
  const block = `${open}\n${body.trim()}\n${close}`;
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const start = current.indexOf(open);
  const end = current.indexOf(close);
  const next = start >= 0 && end > start ? current.slice(0, start) + block + current.slice(end + close.length) : `${current.trimEnd()}\n\n${block}\n`;
  // Written aside and renamed: a reader never sees half a file.
  writeFileSync(`${file}.tmp`, next);
  renameSync(`${file}.tmp`, file);
}
