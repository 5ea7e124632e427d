/**
 * The buckets: the vault in the backup tenant (Object Lock COMPLIANCE, hence versioned, with the configured
 * default retention), the primary account's source and restore-target buckets, and last the vault's policy.
 */
import {
  CreateBucketCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectLockConfigurationCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { PolicyDocument } from '../../lib/policy/document';
import type { VaultPolicyModel } from '../../lib/policy/model';
import { type RgwDocument, toRgwBucketPolicy } from '../rgw-policy-mapping';
import type { DeploymentPlan } from './plan';
import { step } from './step';
import type { LocalBucket, LocalDeployment } from './types';

export async function createVaultBucket(s3: S3Client, vault: LocalDeployment['vault']): Promise<void> {
  const resource = `bucket ${vault.address}`;
  // Object Lock turns versioning on with the bucket, as on AWS.
  await step('create the vault bucket', resource, () =>
    s3.send(new CreateBucketCommand({ Bucket: vault.name, ObjectLockEnabledForBucket: true })),
  );
  await step('set the default COMPLIANCE retention', resource, () =>
    s3.send(
      new PutObjectLockConfigurationCommand({
        Bucket: vault.name,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: vault.mode, Days: vault.retentionDays } },
        },
      }),
    ),
  );
  // No public access block: on RGW pacific it refuses the vault's own policy and writes (adaptation
  // public-access-block). Nothing here is public anyway: no Allow to "*", no public ACL.
  await step('sweep incomplete multipart uploads', resource, () =>
    s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: vault.name,
        LifecycleConfiguration: {
          Rules: [
            {
              ID: 'AbortIncompleteMultipartUploads',
              Status: 'Enabled',
              Filter: { Prefix: '' },
              AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
            },
          ],
        },
      }),
    ),
  );
}

/** The primary account's source and restore-target buckets, versioned unless named in `unversioned` (configured names). */
export async function createPrimaryBuckets(
  s3: S3Client,
  plan: DeploymentPlan,
  unversioned: readonly string[] = [],
): Promise<void> {
  await Promise.all(
    [...plan.sources, ...plan.restoreTargets].map((bucket) =>
      createPrimaryBucket(s3, bucket, !unversioned.includes(bucket.configured)),
    ),
  );
}

async function createPrimaryBucket(s3: S3Client, bucket: LocalBucket, versioned: boolean): Promise<void> {
  const resource = `bucket ${bucket.address}`;
  await step('create bucket', resource, () => s3.send(new CreateBucketCommand({ Bucket: bucket.name })));
  if (!versioned) return;
  await step('enable versioning', resource, () =>
    s3.send(new PutBucketVersioningCommand({ Bucket: bucket.name, VersioningConfiguration: { Status: 'Enabled' } })),
  );
}

export interface VaultBucketPrincipals {
  /** The backup tenant's admin (the backup account's administrator). */
  readonly backupAdmin: string;
  /** The break-glass stand-in's ARN. */
  readonly breakGlass: string;
  /** The vault roles' ARNs. */
  readonly vaultRoles: readonly string[];
  /** AWS role ARN -> its stand-in's ARN. */
  readonly standIns: Readonly<Record<string, string>>;
}

/**
 * Builds the vault bucket policy from the local model with `build` (lib/policy's vaultBucketPolicy, or a guard
 * test's variant), maps it for RGW and applies it. Last: the policy denies the backup admin the bucket
 * settings the earlier steps needed.
 */
export async function applyVaultBucketPolicy(
  s3: S3Client,
  plan: DeploymentPlan,
  build: (m: VaultPolicyModel) => PolicyDocument,
  principals: VaultBucketPrincipals,
): Promise<{ policy: PolicyDocument; applied: RgwDocument }> {
  const awsShaped = build(plan.model);
  const applied = toRgwBucketPolicy(awsShaped, {
    wholeTenants: [plan.primaryTenant],
    principals: [principals.backupAdmin, principals.breakGlass, ...principals.vaultRoles],
    standIns: principals.standIns,
  });
  await step('apply the vault bucket policy', `bucket ${plan.vault.address}`, () =>
    s3.send(new PutBucketPolicyCommand({ Bucket: plan.vault.name, Policy: JSON.stringify(applied.document) })),
  );
  return { policy: awsShaped, applied };
}
