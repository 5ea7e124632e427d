/** The machine and the versions a result was measured with. */
import { execFileSync } from 'node:child_process';
import os from 'node:os';

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly kernel: string;
  readonly node: string;
  readonly ceph: string;
  /** 1-, 5- and 15-minute load averages at the start and at the end of the run. */
  readonly loadAtStart: readonly number[];
}

export function describeMachine(): Machine {
  let ceph = 'unknown';
  try {
    ceph = execFileSync('radosgw', ['--version'], { encoding: 'utf8' }).trim().split('\n')[0] ?? ceph;
  } catch {
    // radosgw is installed by the first start of the local S3; the version is then read at the end.
  }
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    ceph,
    loadAtStart: os.loadavg(),
  };
}
