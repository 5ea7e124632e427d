/** The results as a console table and as bench/RESULTS.md. */
import os from 'node:os';
import type { RowResult, Stats } from './harness';
import type { Machine } from './machine';

export interface BenchReport {
  readonly machine: Machine;
  readonly peers: { readonly rclone: string; readonly awscli: string };
  /** The --scale given, or null: each row ran its own default share of the issue's dataset. */
  readonly scale: number | null;
  readonly rounds: number;
  readonly startedAt: Date;
  readonly seconds: number;
  readonly rows: readonly RowResult[];
  /** Profiles and changes, appended verbatim (bench/PROFILE.md). */
  readonly profileNotes: string;
}

const fixed = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2));
export const formatStats = (s: Stats) => (s.n === 1 ? fixed(s.median) : `${fixed(s.median)} (${fixed(s.min)}–${fixed(s.max)})`);
const mib = (s: Stats | null) =>
  s === null ? '–' : formatStats({ ...s, median: s.median / 2 ** 20, min: s.min / 2 ** 20, max: s.max / 2 ** 20 });

function rowMarkdown(row: RowResult): string {
  const lines = [
    `## ${row.id}. ${row.title}`,
    '',
    `Dataset: ${row.dataset}${row.scale === undefined || row.scale === 1 ? " (the issue's)" : ` (${row.scale} of the issue's)`}. Row time ${row.seconds.toFixed(0)} s.`,
    '',
    `| Contestant | ${row.unit}, median (range) | peak RSS MiB | How |`,
    '|---|---|---|---|',
    ...row.contestants.map((c) => `| ${c.name} | ${formatStats(c.value)} | ${mib(c.peakRssBytes)} | ${c.how} |`),
    '',
  ];
  if (row.ratios.length > 0) {
    lines.push('| Ratio (per round, then median) | Measured | Goal | Met |', '|---|---|---|---|');
    for (const r of row.ratios)
      lines.push(`| ${r.label} | ${formatStats(r.value)}× | ${r.atLeast ? '≥' : '≤'} ${r.goal}× | ${r.met ? 'yes' : '**no**'} |`);
    lines.push('');
  }
  for (const [label, text] of row.facts) lines.push(`- ${label}: ${text}`);
  for (const note of row.notes) lines.push(`- ${note}`);
  lines.push('');
  return lines.join('\n');
}

export function renderMarkdown(report: BenchReport): string {
  const { machine } = report;
  const quick = report.scale !== null || report.rounds < 3;
  return [
    '# Strongroom benchmarks',
    '',
    quick
      ? `**Not the result of record (--scale ${report.scale ?? 'per row'}, ${report.rounds} round(s)): run \`npm run bench\` on a quiet machine for that.**`
      : 'Written by `npm run bench` (bench/main.ts): every figure below was measured in this one run.',
    '',
    `- When: ${report.startedAt.toISOString()}, ${report.seconds.toFixed(0)} s in all`,
    `- Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.kernel}`,
    `- Load average (1, 5, 15 min): ${machine.loadAtStart.map((l) => l.toFixed(2)).join(', ')} at the start, ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')} at the end`,
    `- Versions: Node ${machine.node}; ${machine.ceph}; ${report.peers.rclone}; ${report.peers.awscli}`,
    `- Datasets: ${report.scale === null ? "each row's default share of the issue's dataset (named in its heading), chosen so that the whole run fits in 15 minutes on this machine; `npm run bench -- --scale 1` runs the issue's sizes" : `--scale ${report.scale} of the issue's datasets in every row`}`,
    `- ${report.rounds} interleaved round(s) per row: every contestant once per round, the order rotated each round; ratios are taken within a round, then their median and range`,
    '- Server: the local S3 (Ceph RGW, in-memory OSD) on the same cores as the clients, restarted for every row',
    '',
    ...report.rows.map(rowMarkdown),
    report.profileNotes,
  ].join('\n');
}

export function renderConsole(report: BenchReport): string {
  const lines: string[] = [];
  for (const row of report.rows) {
    lines.push(`\n${row.id}. ${row.title} — ${row.dataset}, scale ${row.scale ?? 1} (${row.unit})`);
    for (const c of row.contestants)
      lines.push(`   ${c.name.padEnd(34)} ${formatStats(c.value).padStart(22)}   peak ${mib(c.peakRssBytes)} MiB`);
    for (const r of row.ratios)
      lines.push(
        `   ${r.label.padEnd(34)} ${`${formatStats(r.value)}x`.padStart(22)}   goal ${r.atLeast ? '>=' : '<='} ${r.goal}x ${r.met ? 'met' : 'MISSED'}`,
      );
    for (const [label, text] of row.facts) lines.push(`   ${label}: ${text}`);
  }
  return lines.join('\n');
}
