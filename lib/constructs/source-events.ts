import { Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** The S3 changes that matter to a backup: a new version, or a delete (recorded as a tombstone, never applied). */
export const S3_CHANGE_DETAIL_TYPES = ['Object Created', 'Object Deleted'];

export interface SourceSpec {
  readonly bucket: string;
  readonly prefixes?: readonly string[];
}

export interface SourceEventsProps {
  /** The primary account owning the source buckets. */
  readonly account: string;
  readonly region: string;
  /** Existing buckets, imported by name. */
  readonly sources: readonly SourceSpec[];
  /** Where matching events go. */
  readonly queue: sqs.IQueue;
  /** Where EventBridge puts events it could not deliver to the queue (so that they alarm, not vanish). */
  readonly deadLetterQueue: sqs.IQueue;
}

/**
 * Key prefixes as an EventBridge `prefix` filter on detail.object.key. Each prefix is matched as
 * configured and, when percent-encoding would change it (spaces, non-ASCII, reserved characters), in
 * its percent-encoded form too: S3 encodes keys in its classic notifications and the EventBridge
 * event reference does not promise it never does, so a key spelled either way must not slip past the
 * rule. An extra match costs one message the copier rejects; a missed one is silent.
 */
export function prefixFilters(prefixes: readonly string[]): Array<{ prefix: string }> {
  const forms = prefixes.flatMap((p) => {
    const encoded = encodeURIComponent(p).replace(/%2F/g, '/');
    return encoded === p ? [p] : [p, encoded];
  });
  return [...new Set(forms)].map((prefix) => ({ prefix }));
}

/** The event pattern of one source: its bucket's created/deleted objects, under its prefixes when configured. */
export function sourceEventPattern(account: string, source: SourceSpec): events.EventPattern {
  return {
    source: ['aws.s3'],
    detailType: S3_CHANGE_DETAIL_TYPES,
    account: [account],
    detail: {
      bucket: { name: [source.bucket] },
      ...(source.prefixes ? { object: { key: prefixFilters(source.prefixes) } } : {}),
    },
  };
}

/**
 * Source buckets, imported by name, send their events to EventBridge (merged into whatever
 * notification settings they already have, through CDK's notifications custom resource); one rule
 * per source forwards its changes to the queue. One rule per source keeps each pattern exact (a
 * bucket's prefixes never apply to another bucket) and gives each source its own delivery metrics.
 */
export class SourceEvents extends Construct {
  public readonly rules: events.Rule[] = [];
  /** Role of CDK's notifications custom resource (it writes the buckets' notification settings). */
  public readonly notificationsHandlerRole: iam.Role;

  public constructor(scope: Construct, id: string, props: SourceEventsProps) {
    super(scope, id);
    if (props.sources.length === 0) throw new Error('SourceEvents: expected at least one source, got none');
    const seen = new Set<string>();
    for (const source of props.sources) {
      if (seen.has(source.bucket))
        throw new Error(`SourceEvents: bucket ${JSON.stringify(source.bucket)} listed twice; expected each once`);
      seen.add(source.bucket);
      if (source.prefixes?.length === 0) {
        throw new Error(
          `SourceEvents: ${source.bucket} has an empty prefixes list; expected prefixes, or none for the whole bucket`,
        );
      }
    }

    this.notificationsHandlerRole = new iam.Role(this, 'NotificationsHandlerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'CDK custom resource that enables EventBridge notifications on the Strongroom source buckets',
    });
    Validations.of(this.notificationsHandlerRole).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        "CDK's notifications custom resource attaches this policy itself; it grants only writing the handler's own logs. The role's S3 rights are inline and limited to the source buckets' notification settings.",
    });

    for (const source of props.sources) {
      const bucket = s3.Bucket.fromBucketAttributes(this, `Bucket-${source.bucket}`, {
        bucketName: source.bucket,
        account: props.account,
        region: props.region,
        notificationsHandlerRole: this.notificationsHandlerRole,
      });
      bucket.enableEventBridgeNotification();
      this.rules.push(
        new events.Rule(this, `Rule-${source.bucket}`, {
          description: `Strongroom: S3 changes of ${source.bucket}${source.prefixes ? ` under ${source.prefixes.join(', ')}` : ''}`,
          eventPattern: sourceEventPattern(props.account, source),
          targets: [new targets.SqsQueue(props.queue, { deadLetterQueue: props.deadLetterQueue })],
        }),
      );
    }
  }
}
