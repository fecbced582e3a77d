import { readFileSync } from 'node:fs';

/**
 * The fields of `/proc/<pid>/stat` from field 3 (the state) on, or undefined when the process is gone.
 * The command name (field 2) may hold spaces and parentheses: fields are counted after its last ')'.
 */
export function procStat(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).trimEnd().split(' ');
  } catch {
    return undefined;
  }
}

/**
 * When `pid` started, in clock ticks since boot (field 22): with the pid, it names one process for good,
 * where a pid alone may be reused. Undefined when the process is gone or a zombie.
 */
export function processStartTicks(pid: number): string | undefined {
  const fields = procStat(pid);
  if (!fields || fields[0] === 'Z') return undefined;
  return fields[19];
}
