import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { BUCKET_POLICY_MAX_BYTES } from '../config/load';
import type { PolicyDocument, PolicyStatement } from '../policy/document';

export interface VaultBucketProps {
  /** Physical name; fixed so that policies in other accounts can name it. */
  readonly bucketName: string;
  readonly logBucketName: string;
  /** Default COMPLIANCE retention of every version. */
  readonly retentionDays: number;
  /** The vault bucket's full policy, from lib/policy. */
  readonly policy: PolicyDocument;
  /** Statements protecting the access-log bucket, from lib/policy. */
  readonly logBucketPolicyStatements: readonly PolicyStatement[];
  /**
   * Customer key for SSE-KMS; its key policy must already deny deletion.
   * @default SSE-S3 (no customer key that could be deleted)
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * The vault bucket: versioned, Object Lock COMPLIANCE by default, private, TLS-only, owned by the
 * bucket owner whoever writes, access-logged, retained when the stack goes. Its access-log bucket
 * cannot carry Object Lock (S3 refuses a locked log destination, and accepts only SSE-S3 there),
 * so it is protected by its policy instead.
 */
export class VaultBucket extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly logBucket: s3.Bucket;

  public constructor(scope: Construct, id: string, props: VaultBucketProps) {
    super(scope, id);
    // Log delivery through the bucket policy, not the legacy LogDeliveryWrite ACL: ACLs are off on
    // these buckets (bucket owner enforced). Set here so the behaviour never depends on cdk.json.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const policySize = Buffer.byteLength(JSON.stringify(props.policy));
    if (policySize > BUCKET_POLICY_MAX_BYTES) {
      throw new Error(
        `VaultBucket: the vault bucket policy is ${policySize} bytes, above S3's limit of ${BUCKET_POLICY_MAX_BYTES}; ` +
          'deploy fewer primary accounts per vault',
      );
    }

    this.logBucket = new s3.Bucket(this, 'LogBucket', {
      bucketName: props.logBucketName,
      versioned: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const statement of props.logBucketPolicyStatements) {
      this.logBucket.addToResourcePolicy(iam.PolicyStatement.fromJson(statement));
    }

    this.bucket = new s3.Bucket(this, 'Bucket', {
      bucketName: props.bucketName,
      versioned: true,
      objectLockEnabled: true,
      objectLockDefaultRetention: s3.ObjectLockRetention.compliance(Duration.days(props.retentionDays)),
      ...(props.encryptionKey
        ? { encryption: s3.BucketEncryption.KMS, encryptionKey: props.encryptionKey, bucketKeyEnabled: true }
        : { encryption: s3.BucketEncryption.S3_MANAGED }),
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 'vault/',
      // Parts of an upload that crashed are never part of a version; let S3 sweep them.
      lifecycleRules: [{ id: 'AbortIncompleteMultipartUploads', abortIncompleteMultipartUploadAfter: Duration.days(1) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const statement of props.policy.Statement) {
      this.bucket.addToResourcePolicy(iam.PolicyStatement.fromJson(statement));
    }
    for (const [bucket, name] of [
      [this.bucket, props.bucketName],
      [this.logBucket, props.logBucketName],
    ] as const) {
      const policy = bucket.policy;
      if (!policy) throw new Error(`VaultBucket: ${name} has no bucket policy; its protections would be missing`);
      // A deleted stack must not take the policy (and with it every deny) along.
      policy.applyRemovalPolicy(RemovalPolicy.RETAIN);
      // The policy names the bucket literally, as its statements do (lib/policy has no CDK tokens), so
      // checkers such as cdk-nag can match its TLS statement to the bucket.
      (policy.node.defaultChild as s3.CfnBucketPolicy).bucket = name;
      policy.node.addDependency(bucket);
    }
  }
}
