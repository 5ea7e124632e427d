import { BackupClient } from '@aws-sdk/client-backup';
import { KMSClient } from '@aws-sdk/client-kms';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { STSClient } from '@aws-sdk/client-sts';
import type { AwsServiceClients } from '../core/verify/aws-clients';
import { assumedRoleCredentials } from './credentials';
import type { VerifyEnv } from './env';

/**
 * The clients of the AWS-only checks, each with the least-privileged credentials that can prove them: AWS
 * Backup and KMS in the backup account as the auditor role (one AssumeRole, cached, shared by both, with the
 * deployment's external id and a session name saying which function of which account calls), the tagging API
 * in this account as the verify function's own role. Built once per execution environment.
 */
export function buildAwsServiceClients(
  env: Pick<VerifyEnv, 'strongroomName' | 'sourceAccountId' | 'externalId' | 'auditorRoleArn'>,
  options: { readonly region: string; readonly sts?: STSClient },
): AwsServiceClients {
  const { region } = options;
  const auditor = assumedRoleCredentials(options.sts ?? new STSClient({ region }), {
    roleArn: env.auditorRoleArn,
    externalId: env.externalId,
    sessionName: `${env.strongroomName}-verify-${env.sourceAccountId}`,
  });
  return {
    auditorBackup: new BackupClient({ region, credentials: auditor }),
    auditorKms: new KMSClient({ region, credentials: auditor }),
    verifyTagging: new ResourceGroupsTaggingAPIClient({ region }),
  };
}
