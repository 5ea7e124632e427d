import { GetBucketNotificationConfigurationCommand } from '@aws-sdk/client-s3';
import { describeError } from '../../../contract/errors';
import { backupVaultLockGroup, recoveryPointsGroup } from './aws-checks-backup';
import { type CheckGroup, type CheckOutcome, pass, skipped } from './check';
import type { VerifyContext } from './context';

/*
 * The checks that only AWS can answer (no local server exists for AWS Backup, KMS, the tagging API or
 * EventBridge), proven with aws-sdk-client-mock only. Each runs as the least-privileged role that can
 * prove it: the auditor for the backup account's AWS Backup vault and KMS key, the verify function's own
 * role for the source buckets and the primary account's tagged resources.
 */

export {
  BACKED_UP_RESOURCE_TYPES,
  backupVaultLockGroup,
  RECOVERY_POINT_SLACK_MS,
  recoveryPointsGroup,
} from './aws-checks-backup';
export { KEY_DENIED_ACTIONS, kmsKeyOutcome } from './aws-checks-kms';

/** sources.events: every source bucket sends its events to EventBridge (GetBucketNotificationConfiguration). */
export const sourceEventsGroup: CheckGroup<VerifyContext> = {
  name: 'source events',
  ids: ['sources.events'],
  ranAs: 'verify',
  async run(context) {
    return { 'sources.events': await sourceEventsOutcome(context) };
  },
};

async function sourceEventsOutcome(context: VerifyContext): Promise<CheckOutcome> {
  const { settings, clients } = context;
  if (!settings.sourceEventsObservable) {
    return skipped(
      'the local S3 has no EventBridge: the local pipeline delivers each change to the copier itself',
      "none here; on AWS the verify role reads each source bucket's notification configuration",
    );
  }
  const buckets = [...new Set(settings.sources.map((s) => s.bucket))];
  const findings: string[] = [];
  for (const bucket of buckets) {
    try {
      const config = await clients.source.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }));
      if (!config.EventBridgeConfiguration) findings.push(`${bucket}: EventBridge notifications are off`);
    } catch (error: unknown) {
      findings.push(`${bucket}: could not read its notification configuration as the verify role (${describeError(error)})`);
    }
  }
  const evidence = { sources: buckets.length, withEventBridge: buckets.length - findings.length };
  if (findings.length > 0) {
    return {
      status: 'FAIL',
      summary: `${findings.length} of ${buckets.length} source buckets do not send events to EventBridge: ${findings.map((f) => f.split(':')[0]).join(', ')}`,
      evidence,
      findings,
      remediation:
        'deploy the primary account stack (it turns EventBridge notifications on); until then only the reconciler finds changes in those buckets',
    };
  }
  return pass(
    `all ${buckets.length} source buckets send their events to EventBridge`,
    'keep EventBridge notifications on; the reconciler still re-lists the sources on its schedule',
    evidence,
  );
}

/** The AWS-only check groups the verifier runs besides its own (vault.encryption's KMS half is kmsKeyOutcome). */
export const AWS_CHECK_GROUPS: readonly CheckGroup<VerifyContext>[] = [
  backupVaultLockGroup,
  sourceEventsGroup,
  recoveryPointsGroup,
];
