import { readFileSync } from 'node:fs';

/**
 * The kernel's high-water mark of this process's resident memory (VmHWM), or its current RSS, in bytes. Not
 * process.resourceUsage().maxRSS: Linux carries ru_maxrss across exec, so a spawned child reports the RSS its
 * parent (the jest worker) had when it forked, whatever the child itself used.
 */
export function residentBytes(field: 'VmHWM' | 'VmRSS'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  if (!match) throw new Error(`no ${field} in /proc/self/status`);
  return Number(match[1]) * 1024;
}
