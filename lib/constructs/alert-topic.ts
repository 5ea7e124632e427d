import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlertTopicProps {
  /** Physical topic name. */
  readonly topicName: string;
  /** Address subscribed to every alert (AWS sends a confirmation e-mail first). */
  readonly email: string;
  /** Name prefix of the CloudWatch alarms allowed to publish (`<prefix>*`). */
  readonly alarmNamePrefix: string;
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/**
 * The alert topic. Not encrypted at rest, deliberately: CloudWatch alarms cannot publish to a topic
 * under the AWS-managed aws/sns key (the publish fails silently), and a customer key would be one
 * more thing whose policy or state (disabled, pending deletion) can mute every alarm without a
 * trace, while the messages carry alarm states and resource names, never backed-up data. Transport
 * is TLS-only (topic policy), and only CloudWatch alarms of this account (by name prefix) and
 * EventBridge rules of this stack may publish.
 */
export class AlertTopic extends Construct {
  public readonly topic: sns.Topic;
  /** Name prefix an alarm must carry to publish here (the topic policy admits `<prefix>*` only). */
  public readonly alarmNamePrefix: string;

  public constructor(scope: Construct, id: string, props: AlertTopicProps) {
    super(scope, id);
    if (!EMAIL.test(props.email)) {
      throw new Error(`AlertTopic ${props.topicName}: email must be an e-mail address, got ${JSON.stringify(props.email)}`);
    }
    const stack = Stack.of(this);
    this.alarmNamePrefix = props.alarmNamePrefix;
    this.topic = new sns.Topic(this, 'Topic', {
      topicName: props.topicName,
      displayName: 'Strongroom alerts',
      enforceSSL: true,
    });
    this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsOfThisAccountPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: `${props.alarmNamePrefix}*`,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    Validations.of(this.topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'Deliberately unencrypted: CloudWatch alarms cannot publish to the aws/sns key, and a customer key would add a policy or key state that can silently mute every alert; messages carry alarm states and resource names only, and the topic policy enforces TLS.',
    });
  }
}
