import { DeleteObjectCommand, GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { describeError } from '../../../contract/errors';
import type { DrillResult } from '../../../contract/verify-report';
import { openJournal, readTimelines } from '../journal-reader';
import type { VaultAccess } from '../journal-seal';
import type { TrustedEntry } from '../journal-trust';
import { executeRestore, type RestoreTuning } from '../restore-execute';
import type { PlanItem } from '../restore-plan';
import { type ByteStream, forEachLimited, sha256OfStream } from '../streams';
import { currentAt } from '../timeline';
import { type CheckGroup, pass, skipped } from './check';
import type { SourceSetting } from './context';
import type { VerifyRun } from './evidence';

/*
 * The restore drill: restores that were never tested are not restores (threat T7). A uniform sample of the
 * keys that existed at T (one hour ago by default) is restored from the vault by the restore executor — as
 * the restore reader and the restore function, exactly as a responder's restore would run — into a scratch
 * prefix of the drill target; each restored object is read back and hashed against the journal, then the
 * scratch objects are removed. Its result is the drill.restore check.
 */

export interface DrillDependencies {
  /** The vault, as the restore reader. */
  readonly vault: VaultAccess;
  /** The drill target, as the restore function's role. */
  readonly target: S3Client;
  readonly account: string;
  readonly sources: readonly SourceSetting[];
  readonly targetBucket: string;
  /** Scratch prefix of the target; each drill writes under `<prefix><drillId>/`. */
  readonly prefix: string;
  readonly sampleSize: number;
  readonly asOf: Date;
  readonly now: () => Date;
  readonly random: () => number;
  readonly tuning?: RestoreTuning;
}

export type { DrillResult };

/** Draw `size` items uniformly from a stream of unknown length (reservoir sampling). */
function reservoir<T>(size: number, random: () => number) {
  const kept: T[] = [];
  let seen = 0;
  return {
    offer(item: T) {
      seen++;
      if (kept.length < size) kept.push(item);
      else {
        const j = Math.floor(random() * seen);
        if (j < size) kept[j] = item;
      }
    },
    get seen() {
      return seen;
    },
    kept,
  };
}

export async function runDrill(deps: DrillDependencies): Promise<DrillResult> {
  const started = deps.now();
  const drillId = `d-${started.getTime().toString(36)}`;
  const targetPrefix = `${deps.prefix}${drillId}/`;
  const view = await openJournal(deps.vault, deps.account);
  const draw = reservoir<TrustedEntry>(deps.sampleSize, deps.random);
  for (const source of deps.sources) {
    for (const prefix of source.prefixes.length > 0 ? source.prefixes : ['']) {
      for await (const timeline of readTimelines(view, { bucket: source.bucket, prefix })) {
        const entry = currentAt(timeline, deps.asOf);
        if (entry) draw.offer(entry);
      }
    }
  }
  const items: PlanItem[] = draw.kept.map((entry) => ({
    action: 'write',
    key: entry.key,
    targetKey: `${targetPrefix}${entry.bucket}/${entry.key}`,
    size: entry.size,
    entry,
  }));
  const target = { client: deps.target, bucket: deps.targetBucket };
  const result = await executeRestore({ vault: deps.vault, target, ...(deps.tuning ? { tuning: deps.tuning } : {}) }, items);
  const failedKeys = new Set(result.failed.map((f) => f.key));

  // Read back what was written and hash it: the drill trusts the executor's own check no more than a writer's claim.
  const mismatched: string[] = [];
  let matched = 0;
  const written = items.filter((i) => !failedKeys.has(i.key));
  await forEachLimited(written, 8, async (item) => {
    try {
      const object = await deps.target.send(new GetObjectCommand({ Bucket: deps.targetBucket, Key: item.targetKey }));
      const { sha256 } = await sha256OfStream(object.Body as ByteStream);
      if (sha256 === item.entry?.sha256) matched++;
      else
        mismatched.push(
          `${item.entry?.bucket}/${item.key}: restored bytes hash to ${sha256}, the journal records ${item.entry?.sha256}`,
        );
    } catch (error: unknown) {
      mismatched.push(`${item.entry?.bucket}/${item.key}: could not be read back (${describeError(error)})`);
    }
  });
  let cleanedUp = 0;
  await forEachLimited(written, 8, async (item) => {
    await deps.target.send(new DeleteObjectCommand({ Bucket: deps.targetBucket, Key: item.targetKey }));
    cleanedUp++;
  });
  return {
    drillId,
    asOf: deps.asOf.toISOString(),
    targetBucket: deps.targetBucket,
    targetPrefix,
    population: draw.seen,
    sampled: items.length,
    restored: result.written,
    bytes: result.bytesWritten,
    matched,
    mismatched,
    failed: result.failed.map((f) => ({ key: f.key, reason: f.reason })),
    cleanedUp,
    durationMs: deps.now().getTime() - started.getTime(),
  };
}

export const drillCheck: CheckGroup<VerifyRun> = {
  name: 'restore drill',
  ids: ['drill.restore'],
  ranAs: 'restore',
  async run(run) {
    const drill = run.settings.drill;
    if (!drill || !run.drill) {
      return {
        'drill.restore': skipped(
          'no drill target is configured, so no restore was rehearsed',
          'configure a drill target (pipeline.drill.targetBucket, one of the restore targets) so restores are tested daily',
        ),
      };
    }
    const r = await run.drill();
    const evidence = {
      drillId: r.drillId,
      asOf: r.asOf,
      target: `${r.targetBucket}/${r.targetPrefix}`,
      population: r.population,
      sampled: r.sampled,
      restored: r.restored,
      bytes: r.bytes,
      matched: r.matched,
      failed: r.failed.length,
      mismatched: r.mismatched.length,
      seconds: Number((r.durationMs / 1000).toFixed(2)),
      cleanedUp: r.cleanedUp,
    };
    const findings = [...r.failed.map((f) => `${f.key}: ${f.reason}`), ...r.mismatched];
    if (findings.length > 0) {
      return {
        'drill.restore': {
          status: 'FAIL',
          summary: `the drill restored ${r.matched} of ${r.sampled} sampled keys correctly; ${findings.length} failed`,
          evidence,
          findings,
          remediation:
            'a restore today would fail for these keys: read each reason (a missing or altered vault object, or the drill target refusing writes) and fix it before it is needed',
        },
      };
    }
    if (r.sampled === 0) {
      return {
        'drill.restore': {
          status: 'WARN',
          summary: `nothing to drill: no source object existed at ${r.asOf} according to the journal`,
          evidence,
          remediation: 'normal in the first hour of a deployment; otherwise check that the copier is writing the journal',
        },
      };
    }
    return {
      'drill.restore': pass(
        `${r.matched} of ${r.population} keys as of ${r.asOf} restored and hashed equal to the journal in ${evidence.seconds} s`,
        'nothing to do: the drill runs with every verify',
        evidence,
      ),
    };
  },
};
