// CPU time of another process, for the benchmarks' "CPU per request" and "CPU s" columns.
import { readFileSync } from 'node:fs';

/** User + system CPU seconds a process has used so far, from /proc/<pid>/stat (Linux); null when unknown. */
export function processCpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    // Fields 14 and 15 (utime, stime) in clock ticks (USER_HZ, 100 on Linux); the command name (field 2)
    // may contain spaces, so count from ") ".
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}
