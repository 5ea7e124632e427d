/** What every bench child shares: its input file, its one JSON answer, its own peak memory. */
import { readFileSync } from 'node:fs';

export function childInput<T>(): T {
  const file = process.argv[2];
  if (!file) throw new Error('bench child: no input file given');
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** VmHWM or VmRSS of this process, in bytes (not resourceUsage().maxRSS: Linux carries it across exec). */
export function residentBytes(field: 'VmHWM' | 'VmRSS'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  if (!match) throw new Error(`no ${field} in /proc/self/status`);
  return Number(match[1]) * 1024;
}

export function answer(main: () => Promise<unknown>): void {
  main()
    .then((result) => process.stdout.write(`${JSON.stringify(result)}\n`))
    .catch((error: unknown) => {
      process.stderr.write(`${error instanceof Error ? `${error.name}: ${error.message}\n${error.stack}` : String(error)}\n`);
      process.exit(1);
    });
}
