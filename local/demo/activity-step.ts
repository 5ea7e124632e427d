/**
 * The demo's `activity` step, after the attack: the responder's first question is "when did it start?".
 *
 * 1. The copier records the attack's deletions (from their events, as the deployed copier would) and counts them
 *    per source, through the same core function whose counts the Lambda publishes: the change-rate alarm's
 *    comparison (more than `alerts.changeRate.deletionsPerInterval` in one interval) is made on them.
 * 2. `strongroom activity --local` reads the journal, marks the burst and suggests T; T must lie after the last
 *    change before the attack and before the attack began (both taken from what the demo did, not from the
 *    report), and the restore step then uses exactly this T.
 *
 * Only types come from demo-steps.ts (which lists this step): no import cycle at run time.
 */
import { capturedIo } from '../../cli/io';
import { main as strongroom } from '../../cli/main';
import { StrongroomError } from '../../contract/errors';
import type { ActivityReport } from '../../lambda/core/activity';
import { localCopier } from '../local-copier';
import type { LocalDeployment } from '../provision';
import type { DemoState } from './demo-steps';
import type { Recorder, Step } from './steps';

export class ActivityStepError extends StrongroomError {
  override name = 'ActivityStepError';
}

function needed<T>(value: T | undefined, what: string, step: string): T {
  if (value === undefined) throw new ActivityStepError(`needs ${what} from step '${step}', which did not run`);
  return value;
}

/** What the change-rate alarm would decide on the copier's counts: CloudWatch's GreaterThanThreshold. */
export function changeRateVerdict(
  deletions: number,
  threshold: number,
  intervalMinutes: number,
): { fires: boolean; line: string } {
  const fires = deletions > threshold;
  const every = `${intervalMinutes} min`;
  return {
    fires,
    line: fires
      ? `change-rate alarm: would fire (${deletions} deletions in ${every} > threshold ${threshold})`
      : `change-rate alarm: would not fire (${deletions} deletions in ${every} <= threshold ${threshold})`,
  };
}

/** The copier journals the attack's deletions; returns how many deletions it counted for the source. */
async function copyAttack(state: DemoState, d: LocalDeployment, source: string, recorder: Recorder): Promise<number> {
  const attack = needed(state.attack, 'the attack', 'attack-primary-admin');
  const events = needed(state.events, 'the source events', 'backup');
  const records = events.records(attack.deleted.map((x) => events.deleted(source, x, attack.at)));
  const copier = localCopier(d);
  let deletions = 0;
  try {
    for (let i = 0; i < records.length; i += 10) {
      const result = await copier.copy(records.slice(i, i + 10), `demo-attack-${i / 10 + 1}`);
      if (result.failedMessageIds.length > 0)
        throw new ActivityStepError(`the copier failed ${result.failedMessageIds.length} deletion record(s)`);
      deletions += result.changeCounts.find((c) => c.bucket === source)?.deletions ?? 0;
    }
    // The last change before the attack, from the journal (the vault owner's read): every entry but the attack's.
    const attacked = new Set(attack.deleted.map((x) => `${x.key}\u0000${x.versionId}`));
    const before = (await copier.journal()).filter(
      (e) => e.bucket === source && !(e.kind === 'destroyed' && attacked.has(`${e.key}\u0000${e.destroys}`)),
    );
    state.lastChangeBeforeAttack = new Date(Math.max(...before.map((e) => Date.parse(e.sourceTime))));
  } finally {
    copier.close();
  }
  recorder.note(
    `the copier journals the attack: ${records.length} permanent deletions, each a tombstone (the vault deletes nothing)`,
  );
  return deletions;
}

export const activityStep: Step<DemoState> = {
  name: 'activity',
  attempts: 'the responder: strongroom activity — when did the burst begin?',
  async run(state, recorder) {
    const d = needed(state.deployment, 'the deployment', 'provision');
    const attack = needed(state.attack, 'the attack', 'attack-primary-admin');
    const source = d.primary.sources[0] as NonNullable<LocalDeployment['primary']['sources'][number]>;

    const deletions = await copyAttack(state, d, source.name, recorder);
    const { deletionsPerInterval, intervalMinutes } = state.options.config.alerts.changeRate;
    const verdict = changeRateVerdict(deletions, deletionsPerInterval, intervalMinutes);
    recorder.record({
      actor: 'copier',
      action: `per-source counts (${source.configured}), against alerts.changeRate`,
      expected: 'the deletion alarm fires',
      outcome: verdict.line,
      held: verdict.fires,
      protection: false,
    });

    // One-second intervals: the demo's history lasts seconds (the responder would let the CLI choose).
    const argv = ['activity', '--local', '--deployment', d.deploymentFile, source.configured, '--interval', '1s', '--json'];
    recorder.note(`strongroom ${argv.join(' ').replace(d.deploymentFile, '<deployment file>')}`);
    const io = capturedIo();
    const code = await strongroom(argv, { io });
    if (code !== 0) throw new ActivityStepError(`strongroom activity exited ${code}: ${io.stderr.join('').trim()}`);
    const report = JSON.parse(io.stdout.join('')) as ActivityReport;
    for (const b of report.bursts) {
      recorder.note(
        `burst ${b.start} to ${b.end}: ${b.deletions} deletions, ${b.overwrites} overwrites (first change ${b.firstChange}, ${b.firstKey})`,
      );
    }
    const lastBefore = needed(state.lastChangeBeforeAttack, 'the last change before the attack', 'activity');
    const t = report.suggestedAsOf ? new Date(report.suggestedAsOf) : undefined;
    const fits = t !== undefined && t >= lastBefore && t < attack.at;
    recorder.record({
      actor: 'responder',
      action: 'the suggested T: after the last change before the attack, before the attack',
      expected: `${lastBefore.toISOString()} <= T < ${attack.at.toISOString()}`,
      outcome: t ? `T = ${report.suggestedAsOf}` : 'no T suggested',
      held: fits,
      protection: false,
    });
    if (t) state.suggestedAsOf = report.suggestedAsOf as string;
    return t
      ? `${report.bursts.length} burst(s); suggested T ${report.suggestedAsOf}, ${attack.at.getTime() - t.getTime()} ms before the attack began`
      : 'no burst found';
  },
};
