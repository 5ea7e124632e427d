import { Duration } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** SQS's longest message retention; both queues use it, so a message outlives any outage it can. */
const RETENTION = Duration.days(14);
/** AWS's guidance for a queue feeding Lambda: visibility at least six times the function timeout. */
export const VISIBILITY_TO_TIMEOUT_RATIO = 6;

export interface EventQueueProps {
  /** Physical name of the queue; the dead-letter queue is named `<queueName>-dlq`. */
  readonly queueName: string;
  /** Timeout of the function consuming the queue. */
  readonly consumerTimeout: Duration;
  /** Batching window of the consumer's event source mapping, if any. @default - none */
  readonly consumerBatchingWindow?: Duration;
  /** Receives of one message before SQS moves it to the dead-letter queue. */
  readonly maxReceiveCount: number;
  /** @default 6 x consumerTimeout + consumerBatchingWindow (shorter is refused) */
  readonly visibilityTimeout?: Duration;
  /**
   * @default sqs.QueueEncryption.SQS_MANAGED. KMS_MANAGED (the aws/sqs key) is refused:
   * EventBridge cannot be granted that key, and its deliveries would fail silently.
   */
  readonly encryption?: sqs.QueueEncryption;
}

/**
 * The queue between EventBridge and a consumer function, with its dead-letter queue. Both are
 * encrypted with SSE-SQS and refuse requests without TLS. Everything that would deploy and then lose
 * messages quietly is refused here, at synth time: the aws/sqs key (EventBridge cannot use it), a
 * visibility timeout shorter than six consumer timeouts (messages redelivered while still being
 * copied, receive counts burnt, healthy messages dead-lettered), a dead-letter queue keeping messages
 * for less time than the queue (SQS keeps a message's original enqueue time when it moves).
 */
export class EventQueue extends Construct {
  public readonly queue: sqs.Queue;
  public readonly deadLetterQueue: sqs.Queue;

  public constructor(scope: Construct, id: string, props: EventQueueProps) {
    super(scope, id);
    const encryption = props.encryption ?? sqs.QueueEncryption.SQS_MANAGED;
    if (encryption === sqs.QueueEncryption.KMS_MANAGED) {
      throw new Error(
        `EventQueue ${props.queueName}: encryption KMS_MANAGED (the AWS-managed aws/sqs key) cannot be used for a queue EventBridge ` +
          'delivers to: that key cannot be granted to events.amazonaws.com and every delivery would fail silently; expected SQS_MANAGED',
      );
    }
    if (encryption !== sqs.QueueEncryption.SQS_MANAGED) {
      throw new Error(`EventQueue ${props.queueName}: encryption ${encryption} refused; expected SQS_MANAGED (SSE-SQS)`);
    }
    if (!Number.isInteger(props.maxReceiveCount) || props.maxReceiveCount < 1 || props.maxReceiveCount > 1000) {
      throw new Error(
        `EventQueue ${props.queueName}: maxReceiveCount must be an integer from 1 to 1000, got ${props.maxReceiveCount}`,
      );
    }
    const visibilityTimeout =
      props.visibilityTimeout ??
      Duration.seconds(
        VISIBILITY_TO_TIMEOUT_RATIO * props.consumerTimeout.toSeconds() + (props.consumerBatchingWindow?.toSeconds() ?? 0),
      );
    assertVisibilityCoversConsumer(props.queueName, visibilityTimeout, props.consumerTimeout, props.consumerBatchingWindow);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      queueName: `${props.queueName}-dlq`,
      encryption,
      enforceSSL: true,
      retentionPeriod: RETENTION,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      queueName: props.queueName,
      encryption,
      enforceSSL: true,
      retentionPeriod: RETENTION,
      visibilityTimeout,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
    });
  }
}

/**
 * Visibility must cover six consumer timeouts plus the batching window (AWS's guidance for Lambda
 * event sources) and stay within SQS's 12-hour maximum.
 */
export function assertVisibilityCoversConsumer(
  queueName: string,
  visibilityTimeout: Duration,
  consumerTimeout: Duration,
  batchingWindow?: Duration,
): void {
  const needed = VISIBILITY_TO_TIMEOUT_RATIO * consumerTimeout.toSeconds() + (batchingWindow?.toSeconds() ?? 0);
  const actual = visibilityTimeout.toSeconds();
  if (actual < needed) {
    throw new Error(
      `EventQueue ${queueName}: visibility timeout ${actual}s is shorter than ${VISIBILITY_TO_TIMEOUT_RATIO} x the consumer timeout ` +
        `(${consumerTimeout.toSeconds()}s) plus its batching window, ${needed}s; messages would be redelivered while still in progress`,
    );
  }
  if (actual > 43200) {
    throw new Error(`EventQueue ${queueName}: visibility timeout ${actual}s exceeds SQS's maximum of 43200s (12 hours)`);
  }
}
