/**
 * The demo's attack: the primary account's admin wipes the source (as at Code Spaces), then it and a stolen
 * ingest credential try the attack drill's catalogue (local/drill/catalogue.ts) on the vault — the same attempts
 * `npm run drill` makes, filtered to these two principals and to what a protection must refuse, so the demo stays
 * short. Every version an attempt adds (RGW ignores If-None-Match) is handed to the compare step.
 */
import { DeleteObjectsCommand, ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import { StrongroomError } from '../../contract/errors';
import { readBucketState } from '../bucket-state';
import {
  applicable,
  type DrillAttempt,
  type DrillContext,
  drillCatalogue,
  PRINCIPALS,
  type PrincipalId,
} from '../drill/catalogue';
import { openPrincipals, runAttempts, targetsIn } from '../drill/run-drill';
import { clientAs } from '../sessions';
import type { DemoState } from './demo-steps';
import { nextSecond, type Recorder, type Step } from './steps';

class AttackStepError extends StrongroomError {
  override name = 'AttackStepError';
}

/**
 * The catalogue's attempts of one principal that test a protection. The ingest role's overwrite of a journal
 * segment is left to the drill: the restore that ends the demo reads the journal, and the version it adds there
 * (AWS refuses it) is the drill's to inventory, not the demo's to restore through.
 */
export function demoAttempts(principal: PrincipalId): DrillAttempt[] {
  return drillCatalogue().filter(
    (a) => a.principal === principal && a.expected.kind !== 'allowed' && a.action !== 'overwrite-journal',
  );
}

/** The actor as the demo names it. */
const actorOf = (principal: PrincipalId) => (principal === 'ingest' ? 'stolen ingest' : PRINCIPALS[principal].label);

/** Runs one principal's demo attempts against the vault as snapshot-before found it, recording each. */
async function attackVault(state: DemoState, recorder: Recorder, principal: PrincipalId): Promise<number> {
  const d = state.deployment;
  const before = state.before;
  if (!d) throw new AttackStepError("needs the deployment from step 'provision', which did not run");
  if (!before) throw new AttackStepError("needs the first snapshot from step 'snapshot-before', which did not run");
  const { clients, close } = await openPrincipals(d);
  try {
    const ctx: DrillContext = { deployment: d, clients, targets: targetsIn(d, before), runId: `demo${Date.now().toString(36)}` };
    const results = await runAttempts(ctx, applicable(demoAttempts(principal), ctx));
    for (const r of results) {
      recorder.record({
        actor: actorOf(principal),
        action: r.attempt,
        expected: r.expected,
        outcome: r.actual,
        held: r.held,
        protection: true,
      });
      if (r.added) state.addedByAttacker.push(r.added);
    }
    return results.filter((r) => !r.held).length;
  } finally {
    close();
  }
}

export const attackPrimaryAdminStep: Step<DemoState> = {
  name: 'attack-primary-admin',
  attempts: "the intruder, with the primary account's admin credentials:",
  async run(state, recorder) {
    const d = state.deployment;
    if (!d) throw new AttackStepError("needs the deployment from step 'provision', which did not run");
    const admin = clientAs(d, d.primary.admin);
    state.clients.push(admin);
    const source = d.primary.sources[0];
    if (!source) throw new AttackStepError('the config has no source bucket');

    // What the restore must bring back: the source as it is now, just before the attack. The attack starts on
    // the next whole second, so every source time recorded so far lies before it (S3 keeps whole seconds).
    state.sourceBefore = await readBucketState(admin, source.address);
    await nextSecond();
    const at = new Date();

    // 1. what Code Spaces lost first: the data itself. Succeeds — the source is the intruder's to destroy.
    const listed = await admin.send(new ListObjectVersionsCommand({ Bucket: source.address }));
    const everything = [...(listed.Versions ?? []), ...(listed.DeleteMarkers ?? [])].map((v) => ({
      Key: v.Key as string,
      VersionId: v.VersionId,
    }));
    // Each permanently deleted version (or delete marker) is a 'Permanently Deleted' event for the copier.
    state.attack = {
      at,
      deleted: everything.map((v) => ({ key: v.Key, versionId: v.VersionId as string, deleteMarker: false })),
    };
    const wiped = await recorder.expect(
      'primary admin',
      `delete every source version (${everything.length}, permanently)`,
      'allowed',
      () => admin.send(new DeleteObjectsCommand({ Bucket: source.address, Delete: { Objects: everything, Quiet: true } })),
    );
    if (wiped.ok && (wiped.value.Errors ?? []).length > 0)
      throw new AttackStepError(`${wiped.value.Errors?.length} source versions could not be deleted`);
    const left = await admin.send(new ListObjectVersionsCommand({ Bucket: source.address }));
    recorder.note(
      `source ${source.address} now holds ${(left.Versions ?? []).length} versions: the data is gone, as at Code Spaces`,
    );

    // 2. then the backups
    const failed = await attackVault(state, recorder, 'primaryAdmin');
    return failed === 0
      ? 'source wiped; every attempt on the vault refused'
      : `source wiped; ${failed} attempt(s) on the vault NOT refused`;
  },
};

export const attackStolenIngestStep: Step<DemoState> = {
  name: 'attack-stolen-ingest',
  attempts: "then with the copier's stolen keys, as the ingest role:",
  async run(state, recorder) {
    // the copier's keys plus the external id (not a secret) are all it takes to assume the ingest role
    const failed = await attackVault(state, recorder, 'ingest');
    return failed === 0
      ? 'every destructive attempt refused; the one write allowed only added a version'
      : `${failed} attempt(s) NOT refused`;
  },
};
