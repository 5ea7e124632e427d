/**
 * What the drill needs in the vault beyond the demo's backup (demo-steps.ts: local-s3, provision, seed, backup):
 * a sealed journal and a filed report, so that seals, indexes and reports are among the versions attacked and
 * inventoried.
 */
import { createHash } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { reportKeys } from '../../contract/verify-report';
import { sealJournal } from '../../lambda/core/journal-seal';
import { backupStep, type DemoState, localS3Step, provisionStep, seedStep } from '../demo/demo-steps';
import type { Step } from '../demo/steps';
import { assumeVaultRole } from '../sessions';

const needDeployment = (state: DemoState) => {
  if (!state.deployment) throw new Error("needs the deployment from step 'provision', which did not run");
  return state.deployment;
};

/** The sealer, as the deployed one runs: reading as the auditor, appending as the ingest role. */
export const sealStep: Step<DemoState> = {
  name: 'seal',
  attempts: 'the sealer chains and indexes the journal segments (auditor reads, ingest appends)',
  async run(state) {
    const d = needDeployment(state);
    const [auditor, ingest] = await Promise.all([
      assumeVaultRole(d, 'auditor', { sessionName: 'drill-sealer' }),
      assumeVaultRole(d, 'ingest', { caller: d.primary.functions.sealer, sessionName: 'drill-sealer' }),
    ]);
    state.clients.push(auditor.s3, ingest.s3);
    // segments of the current second wait for the next seal (S3 keeps whole seconds)
    await new Promise((resolve) => setTimeout(resolve, 1050 - (Date.now() % 1000)));
    const sealed = await sealJournal({
      reader: { client: auditor.s3, bucket: d.vault.address },
      writer: { client: ingest.s3, bucket: d.vault.address },
      account: d.primary.tenant,
      now: () => new Date(),
      settleMs: 0,
    });
    if (!sealed.sealed) throw new Error(`the journal was not sealed: ${sealed.reason}`);
    return `seal ${sealed.key} over ${sealed.record.segments.length} segments`;
  },
};

/** One report filed where the verifier files them, by the evidence writer (the verifier's role for it). */
export const fileReportStep: Step<DemoState> = {
  name: 'file-report',
  attempts: 'the evidence writer files a report under reports/<account>/',
  async run(state) {
    const d = needDeployment(state);
    const writer = await assumeVaultRole(d, 'evidenceWriter', { sessionName: 'drill-verify' });
    state.clients.push(writer.s3);
    const startedAt = new Date();
    const key = reportKeys(d.primary.tenant, `drill-${startedAt.getTime().toString(36)}`, startedAt).json;
    const body = JSON.stringify({ note: 'filed by the drill setup: a report for the attempts to aim at', startedAt });
    const out = await writer.s3.send(
      new PutObjectCommand({
        Bucket: d.vault.address,
        Key: key,
        Body: body,
        ContentMD5: createHash('md5').update(body).digest('base64'),
        ACL: 'bucket-owner-full-control',
      }),
    );
    return `${key} (version ${out.VersionId})`;
  },
};

/** A backed-up vault to attack: the demo's seed and backup, then a seal and a report. */
export const SEED_STEPS: readonly Step<DemoState>[] = [seedStep, backupStep, sealStep, fileReportStep];

/** The drill command's setup: start (or find) the local S3, provision, then SEED_STEPS. */
export const SETUP_STEPS: readonly Step<DemoState>[] = [localS3Step, provisionStep, ...SEED_STEPS];
