import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { RESTORE_MANIFEST_FILE, RESTORE_WORK_PREFIX } from '../../contract/restore-orchestration';
import { parseCopierEnv, parseReconcilerEnv, parseRestoreEnv, parseSealerEnv, parseVerifyEnv } from '../../lambda/adapters/env';
import { RESTORE_WORK_PREFIX as SERVICE_WORK_PREFIX } from '../../lambda/core/restore-service';
import { parseConfig } from '../../lib/config/load';
import type { StrongroomConfig } from '../../lib/config/schema';
import { AlertTopic } from '../../lib/constructs/alert-topic';
import { EventQueue } from '../../lib/constructs/event-queue';
import { PipelineAlarms, type PipelineAlarmsProps } from '../../lib/constructs/pipeline-alarms';
import { PipelineFunctions, type PipelineFunctionsProps } from '../../lib/constructs/pipeline-functions';
import { RestoreStateMachine, STATES_LOG_DELIVERY_ACTIONS } from '../../lib/constructs/restore-state-machine';
import { StrongroomFunction } from '../../lib/constructs/strongroom-function';
import { vaultPolicyModel } from '../../lib/policy/model';
import { ProtectedAccountStack } from '../../lib/stacks/protected-account-stack';
import { NO_BUNDLING, testApp } from '../support/app';
import { exampleConfig, exampleInput, twoAccountConfig } from '../support/config';

/*
 * ProtectedAccountStack, property by property. Expected permissions are written out by hand for the
 * example config (not recomputed with lib/policy), so a change in what a role may do shows up here.
 * Example config: primary account prod 222222222222, sources acme-prod-invoices (whole bucket) and
 * acme-prod-uploads (customer/, exports/), restore target acme-prod-restore, backup account 111111111111.
 */

const PRIMARY = '222222222222';
const BACKUP = '111111111111';
const ARN = {
  ingest: `arn:aws:iam::${BACKUP}:role/strongroom-ingest-${PRIMARY}`,
  restoreReader: `arn:aws:iam::${BACKUP}:role/strongroom-restore-reader-${PRIMARY}`,
  auditor: `arn:aws:iam::${BACKUP}:role/strongroom-auditor-${PRIMARY}`,
  evidenceWriter: `arn:aws:iam::${BACKUP}:role/strongroom-evidence-writer-${PRIMARY}`,
  backupVault: `arn:aws:backup:eu-west-1:${BACKUP}:backup-vault:strongroom-vault`,
  restoreFunction: `arn:aws:lambda:eu-west-1:${PRIMARY}:function:strongroom-restore`,
  restoreStateMachine: `arn:aws:states:eu-west-1:${PRIMARY}:stateMachine:strongroom-restore`,
};

type Json = any;

interface Synthesized {
  app: App;
  stack: ProtectedAccountStack;
  template: Template;
}

/** The stack as bin/strongroom.ts builds it (cdk.json's context). Bundling is skipped unless asked for (it is tested once, below). */
function synth(config: StrongroomConfig, accountId = config.primaryAccounts[0]?.accountId ?? '', bundle = false): Synthesized {
  const app = testApp(bundle ? {} : NO_BUNDLING);
  const account = config.primaryAccounts.find((a) => a.accountId === accountId);
  const stack = new ProtectedAccountStack(app, `StrongroomProtected-${account?.name ?? 'unknown'}`, {
    env: { account: accountId, region: config.region },
    config,
    primaryAccountId: accountId,
  });
  return { app, stack, template: Template.fromStack(stack) };
}

/** The example config with changes applied to the raw JSON before parsing. */
function configWith(change: (input: Json) => void): StrongroomConfig {
  const input = exampleInput() as Json;
  change(input);
  return parseConfig(input, 'test');
}

/**
 * The parsed example config with changes applied after parsing: what a caller that skips loadConfig
 * could pass. The stack and its constructs must refuse it themselves.
 */
function unparsedConfigWith(change: (config: Json) => void): StrongroomConfig {
  const config = structuredClone(exampleConfig()) as Json;
  change(config);
  return config;
}

function resources(template: Template, type: string): Record<string, Json> {
  return template.findResources(type);
}

function logicalIdOf(template: Template, type: string, props: Json): string {
  const ids = Object.keys(template.findResources(type, { Properties: props }));
  if (ids.length !== 1) throw new Error(`expected one ${type} with ${JSON.stringify(props)}, found ${ids.length}`);
  return ids[0] as string;
}

const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Every Allow statement of a role, from its inline policies and every AWS::IAM::Policy attached to it. */
function roleStatements(template: Template, roleId: string): Json[] {
  const role = resources(template, 'AWS::IAM::Role')[roleId];
  const inline = asList(role.Properties.Policies).flatMap((p: Json) => p.PolicyDocument.Statement);
  const attached = Object.values(resources(template, 'AWS::IAM::Policy'))
    .filter((p: Json) => asList(p.Properties.Roles).some((r: Json) => r.Ref === roleId))
    .flatMap((p: Json) => p.Properties.PolicyDocument.Statement);
  return [...inline, ...attached];
}

/** Statements as sorted atoms (effect, one action, one resource, condition), so that grouping does not matter. */
function atoms(statements: Json[]): string[] {
  return statements
    .flatMap((st) =>
      asList(st.Action).flatMap((action) =>
        asList(st.Resource).map((resource) =>
          JSON.stringify({ effect: st.Effect, action, resource, condition: st.Condition ?? null }),
        ),
      ),
    )
    .sort();
}

function atom(action: string, resource: Json, condition: Json = null): string {
  return JSON.stringify({ effect: 'Allow', action, resource, condition });
}

const getAtt = (id: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [id, attribute] });

/** Every policy document in a template, with where it lives. */
function policyDocuments(template: Template): Array<{ where: string; owner?: string; document: Json }> {
  const found: Array<{ where: string; owner?: string; document: Json }> = [];
  for (const [id, r] of Object.entries(template.toJSON().Resources as Record<string, Json>)) {
    const p = r.Properties ?? {};
    switch (r.Type) {
      case 'AWS::IAM::Role':
        found.push({ where: `${id} (trust)`, owner: id, document: p.AssumeRolePolicyDocument });
        for (const inline of asList(p.Policies) as Json[])
          found.push({ where: `${id}/${inline.PolicyName}`, owner: id, document: inline.PolicyDocument });
        break;
      case 'AWS::IAM::Policy':
      case 'AWS::IAM::ManagedPolicy':
        for (const role of asList(p.Roles) as Json[]) found.push({ where: id, owner: role.Ref, document: p.PolicyDocument });
        if (asList(p.Roles).length === 0) found.push({ where: id, document: p.PolicyDocument });
        break;
      case 'AWS::SQS::QueuePolicy':
      case 'AWS::SNS::TopicPolicy':
      case 'AWS::S3::BucketPolicy':
        found.push({ where: id, document: p.PolicyDocument });
        break;
      case 'AWS::KMS::Key':
        found.push({ where: id, document: p.KeyPolicy });
        break;
      case 'AWS::Backup::BackupVault':
        if (p.AccessPolicy) found.push({ where: id, document: p.AccessPolicy });
        break;
      case 'AWS::Lambda::Permission':
        found.push({
          where: id,
          document: {
            Statement: [
              { Effect: 'Allow', Action: p.Action, Principal: p.Principal, Resource: p.FunctionName, Condition: p.SourceArn },
            ],
          },
        });
        break;
      default:
        if (/Policy$/.test(r.Type)) throw new Error(`policyDocuments: ${r.Type} (${id}) is not scanned yet; add it here`);
    }
  }
  return found;
}

/** A resource as a string: CloudFormation references to this stack's own resources become `local:<id>`. */
function resourceText(resource: Json): string {
  if (typeof resource === 'string') return resource;
  if (resource?.Ref) return resource.Ref === 'AWS::Partition' ? 'aws' : `local:${resource.Ref}`;
  if (resource?.['Fn::GetAtt']) return `local:${resource['Fn::GetAtt'][0]}`;
  if (resource?.['Fn::Join']) return (resource['Fn::Join'][1] as Json[]).map(resourceText).join(resource['Fn::Join'][0]);
  throw new Error(`unresolvable resource ${JSON.stringify(resource)}`);
}

const example = exampleConfig();
const main = synth(example, PRIMARY, true);
const t = main.template;
const queueId = logicalIdOf(t, 'AWS::SQS::Queue', { QueueName: 'strongroom-events' });
const dlqId = logicalIdOf(t, 'AWS::SQS::Queue', { QueueName: 'strongroom-events-dlq' });
const topicId = logicalIdOf(t, 'AWS::SNS::Topic', { TopicName: 'strongroom-alerts' });
const roleId = (name: string) => logicalIdOf(t, 'AWS::IAM::Role', { RoleName: name });
const functionId = (name: string) => logicalIdOf(t, 'AWS::Lambda::Function', { FunctionName: name });
const logGroupOf = (fnId: string) => resources(t, 'AWS::Lambda::Function')[fnId].Properties.LoggingConfig.LogGroup.Ref as string;
/** The restore state machine's role: the one role Step Functions assumes. */
const statesRoleOf = (template: Template) =>
  logicalIdOf(template, 'AWS::IAM::Role', {
    AssumeRolePolicyDocument: Match.objectLike({
      Statement: [Match.objectLike({ Principal: { Service: 'states.amazonaws.com' } })],
    }),
  });
const restoreMachineRoleId = statesRoleOf(t);
const logsAtoms = (fn: string) =>
  ['logs:CreateLogStream', 'logs:PutLogEvents'].map((a) => atom(a, getAtt(logGroupOf(functionId(fn)))));

describe('guards: what would deploy and then fail (or widen access) is refused at synth time', () => {
  const cases: Array<[string, () => unknown, RegExp]> = [
    [
      'env.account not set',
      () =>
        new ProtectedAccountStack(testApp(), 'X', { config: example, primaryAccountId: PRIMARY, env: { region: 'eu-west-1' } }),
      /env.account must be set explicitly to the primary account 222222222222, got \(not set\)/,
    ],
    [
      'env.account another account',
      () =>
        new ProtectedAccountStack(testApp(), 'X', {
          config: example,
          primaryAccountId: PRIMARY,
          env: { account: BACKUP, region: 'eu-west-1' },
        }),
      /env.account must be set explicitly to the primary account 222222222222, got 111111111111/,
    ],
    [
      'env.region not the config region',
      () =>
        new ProtectedAccountStack(testApp(), 'X', {
          config: example,
          primaryAccountId: PRIMARY,
          env: { account: PRIMARY, region: 'us-east-1' },
        }),
      /env.region must be set explicitly to config.region \(eu-west-1\), got us-east-1/,
    ],
    [
      'an account that is not a primary account',
      () => synth(example, '444444444444'),
      /primaryAccountId "444444444444" is not in config.primaryAccounts \(222222222222\)/,
    ],
    [
      'reserved concurrency 1 (the SQS poller would throttle healthy messages into the DLQ)',
      () => synth(unparsedConfigWith((c) => (c.pipeline.copierReservedConcurrency = 1))),
      /copierReservedConcurrency is 1; expected at least 2/,
    ],
    [
      'a rate() backup schedule (AWS Backup accepts cron only)',
      () => synth(unparsedConfigWith((c) => (c.backupPlan.schedule = 'rate(1 day)'))),
      /schedule must be a cron\(\.\.\.\) expression \(AWS Backup accepts no rate\(\.\.\.\)\), got "rate\(1 day\)"/,
    ],
    [
      'a rate whose unit disagrees with its value',
      () => synth(configWith((c) => (c.pipeline = { reconcileSchedule: 'rate(1 hours)' }))),
      /pipeline.reconcileSchedule: received "rate\(1 hours\)", expected a rate of at least 1 whose unit agrees/,
    ],
    [
      'a cron with both day fields set',
      () => synth(configWith((c) => (c.pipeline = { verifySchedule: 'cron(0 5 * * MON *)' }))),
      /pipeline.verifySchedule: received "cron\(0 5 \* \* MON \*\)", expected "\?" in exactly one of day-of-month and day-of-week/,
    ],
    [
      'a prefix IAM would read as a wildcard',
      () => synth(unparsedConfigWith((c) => (c.primaryAccounts[0].sources[1].prefixes = ['customer*/']))),
      /sources\[1\]\.prefixes has "customer\*\/"; expected a prefix without "\*", "\?" or "\$\{"/,
    ],
    [
      'the vault bucket as a source',
      () =>
        synth(
          unparsedConfigWith((c) => c.primaryAccounts[0].sources.push({ bucket: 'strongroom-vault-111111111111-eu-west-1' })),
        ),
      /sources\[2\]\.bucket is "strongroom-vault-111111111111-eu-west-1"; expected a bucket other than the vault's own/,
    ],
    [
      'the vault bucket as a restore target',
      () =>
        synth(
          unparsedConfigWith((c) => {
            c.primaryAccounts[0].restoreTargets = ['strongroom-vault-111111111111-eu-west-1'];
            delete c.primaryAccounts[0].drill;
          }),
        ),
      /restoreTargets\[0\] is "strongroom-vault-111111111111-eu-west-1"; expected a bucket other than the vault's own/,
    ],
    [
      'a source key in the backup account',
      () =>
        synth(
          unparsedConfigWith(
            (c) =>
              (c.primaryAccounts[0].sources[0].kmsKeyArn = `arn:aws:kms:eu-west-1:${BACKUP}:key/0f4c1a7e-1111-2222-3333-444455556666`),
          ),
        ),
      /expected a key outside the backup account \(111111111111\)/,
    ],
  ];
  it.each(cases)('refuses %s', (_name, build, message) => {
    expect(build).toThrow(message);
  });

  it('EventQueue refuses the aws/sqs key, which EventBridge cannot use', () => {
    expect(
      () =>
        new EventQueue(new Stack(testApp()), 'Q', {
          queueName: 'q',
          consumerTimeout: Duration.seconds(60),
          maxReceiveCount: 5,
          encryption: sqs.QueueEncryption.KMS_MANAGED,
        }),
    ).toThrow(/encryption KMS_MANAGED \(the AWS-managed aws\/sqs key\) cannot be used for a queue EventBridge delivers to/);
  });

  it('EventQueue refuses a visibility timeout under six consumer timeouts', () => {
    expect(
      () =>
        new EventQueue(new Stack(testApp()), 'Q', {
          queueName: 'q',
          consumerTimeout: Duration.seconds(60),
          visibilityTimeout: Duration.seconds(359),
          maxReceiveCount: 5,
        }),
    ).toThrow(/visibility timeout 359s is shorter than 6 x the consumer timeout \(60s\) plus its batching window, 360s/);
  });

  it('StrongroomFunction refuses an environment over Lambda’s 4 KB, and house variables set by the caller', () => {
    const props = (environment: Record<string, string>) => ({
      functionName: 'f',
      entry: join(__dirname, '..', '..', 'lambda', 'handlers', 'verify.ts'),
      role: new iam.Role(new Stack(testApp()), 'R', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }),
      serviceName: 'verify',
      timeout: Duration.seconds(10),
      logRetentionDays: 30,
      environment,
    });
    const app = testApp(NO_BUNDLING);
    expect(() => new StrongroomFunction(new Stack(app, 'A'), 'F', props({ SOURCES: 'x'.repeat(4000) }))).toThrow(
      /its environment is about \d+ bytes, above Lambda's limit of 4096/,
    );
    expect(() => new StrongroomFunction(new Stack(app, 'B'), 'F', props({ NODE_OPTIONS: '' }))).toThrow(
      /environment must not set NODE_OPTIONS/,
    );
    expect(() => new StrongroomFunction(new Stack(app, 'C'), 'F', { ...props({}), logRetentionDays: 0 })).toThrow(
      /logRetentionDays must be a finite retention CloudWatch Logs accepts/,
    );
  });

  it.each([0, 1001, 2.5])('RestoreStateMachine refuses a map concurrency of %s', (maxConcurrency) => {
    const stack = new Stack(testApp());
    expect(
      () =>
        new RestoreStateMachine(stack, 'M', {
          stateMachineName: 'm',
          account: PRIMARY,
          restoreTargets: ['acme-prod-restore'],
          restoreFunction: lambda.Function.fromFunctionName(stack, 'F', 'strongroom-restore'),
          restoreFunctionName: 'strongroom-restore',
          maxConcurrency,
          logRetentionDays: 30,
          model: vaultPolicyModel(example),
        }),
    ).toThrow(`RestoreStateMachine: maxConcurrency is ${maxConcurrency}; expected an integer from 1 to 1000`);
  });
});

describe('the pipeline constructs refuse what they cannot build, even when constructed directly', () => {
  // Each refusal comes before any function is built, so nothing is bundled and no app context matters.
  const stack = () => new Stack();
  const functionsProps = (scope: Stack, change: Partial<PipelineFunctionsProps>): PipelineFunctionsProps => ({
    deploymentName: 'strongroom',
    account: example.primaryAccounts[0] as StrongroomConfig['primaryAccounts'][number],
    model: vaultPolicyModel(example),
    events: new EventQueue(scope, 'Q', { queueName: 'q', consumerTimeout: Duration.seconds(60), maxReceiveCount: 5 }),
    copierTimeout: Duration.seconds(60),
    copierMemoryMb: 1024,
    copierReservedConcurrency: 10,
    queueBatchSize: 10,
    rpoMinutes: 60,
    backupPlan: example.backupPlan,
    verify: { retentionDays: 30, backupVaultLock: example.backupVault.lock },
    sealSettleSeconds: 300,
    logRetentionDays: 30,
    ...change,
  });

  it.each([
    [{ copierReservedConcurrency: 1 }, 'PipelineFunctions: copierReservedConcurrency is 1; expected at least 2 and at most 1000'],
    [
      { copierReservedConcurrency: 1001 },
      'PipelineFunctions: copierReservedConcurrency is 1001; expected at least 2 and at most 1000',
    ],
    [{ copierReservedConcurrency: 2.5 }, 'PipelineFunctions: copierReservedConcurrency is 2.5; expected at least 2'],
    [
      { queueBatchSize: 20 },
      'PipelineFunctions: queueBatchSize is 20 with no queueBatchingWindow; expected a batching window for batches above 10',
    ],
  ])('PipelineFunctions refuses %j', (change, message) => {
    const scope = stack();
    expect(() => new PipelineFunctions(scope, 'F', functionsProps(scope, change))).toThrow(message);
  });

  /** PipelineAlarms' props over stand-in functions, topic and queue, with `change` applied. */
  function alarmsProps(scope: Stack, change: Partial<PipelineAlarmsProps> = {}): PipelineAlarmsProps {
    const fn = (name: string) => lambda.Function.fromFunctionName(scope, name, name);
    return {
      alerts: new AlertTopic(scope, 'T', { topicName: 't', email: 'a@example.com', alarmNamePrefix: 'x-' }),
      events: new EventQueue(scope, 'Q', { queueName: 'q', consumerTimeout: Duration.seconds(60), maxReceiveCount: 5 }),
      copier: fn('copier'),
      reconciler: fn('reconciler'),
      verify: fn('verify'),
      sealer: fn('sealer'),
      rpoMinutes: 60,
      sources: ['acme-prod-invoices'],
      changeRate: { intervalMinutes: 5, deletionsPerInterval: 100, writesPerInterval: 1000 },
      ...change,
    };
  }

  it('PipelineAlarms refuses an RPO under one minute', () => {
    const scope = stack();
    expect(() => new PipelineAlarms(scope, 'A', alarmsProps(scope, { rpoMinutes: 0 }))).toThrow(
      'PipelineAlarms: rpoMinutes is 0; expected a whole number of minutes, at least 1',
    );
  });

  it.each([
    [{ intervalMinutes: 0 }, 'PipelineAlarms: changeRate.intervalMinutes is 0; expected a whole number, at least 1'],
    [
      { deletionsPerInterval: 2.5 },
      'PipelineAlarms: changeRate.deletionsPerInterval is 2.5; expected a whole number, at least 1',
    ],
    [{ writesPerInterval: -1 }, 'PipelineAlarms: changeRate.writesPerInterval is -1; expected a whole number, at least 1'],
  ])('PipelineAlarms refuses the change rate %j', (change, message) => {
    const scope = stack();
    const changeRate = { intervalMinutes: 5, deletionsPerInterval: 100, writesPerInterval: 1000, ...change };
    expect(() => new PipelineAlarms(scope, 'A', alarmsProps(scope, { changeRate }))).toThrow(message);
  });
});

describe('logical ids', () => {
  // A new logical id for a fixed-name resource makes CloudFormation create the new one before deleting
  // the old: a name conflict for roles, functions and queues, a deleted alarm for alarms. These are the ids
  // the stack gave them before it was split into constructs; they must not move.
  const named: Array<[string, string, Record<string, string>]> = [
    ['EventsQueue7396B467', 'AWS::SQS::Queue', { QueueName: 'strongroom-events' }],
    ['EventsDeadLetterQueueC3DB07E1', 'AWS::SQS::Queue', { QueueName: 'strongroom-events-dlq' }],
    ['CopierRole0B11BC1B', 'AWS::IAM::Role', { RoleName: 'strongroom-copier' }],
    ['ReconcilerRole74F9D42A', 'AWS::IAM::Role', { RoleName: 'strongroom-reconciler' }],
    ['RestoreRole76935C4A', 'AWS::IAM::Role', { RoleName: 'strongroom-restore' }],
    ['VerifyRole0A525A7D', 'AWS::IAM::Role', { RoleName: 'strongroom-verify' }],
    ['CopierFunctionC1A0E1EA', 'AWS::Lambda::Function', { FunctionName: 'strongroom-copier' }],
    ['ReconcilerFunction0432B6FF', 'AWS::Lambda::Function', { FunctionName: 'strongroom-reconciler' }],
    ['RestoreFunction07574348', 'AWS::Lambda::Function', { FunctionName: 'strongroom-restore' }],
    ['VerifyFunction0C87FB6B', 'AWS::Lambda::Function', { FunctionName: 'strongroom-verify' }],
    ['BackupLocalVault1978457A', 'AWS::Backup::BackupVault', { BackupVaultName: 'strongroom-local' }],
    ['AlertsTopicCF7C81C9', 'AWS::SNS::Topic', { TopicName: 'strongroom-alerts' }],
    ['DeadLettersAlarm3F8DE0AC', 'AWS::CloudWatch::Alarm', { AlarmName: 'strongroom-dead-letters' }],
    ['CopierErrorsAlarmD3B6EC91', 'AWS::CloudWatch::Alarm', { AlarmName: 'strongroom-copier-errors' }],
    ['FreshnessAlarm3769AA11', 'AWS::CloudWatch::Alarm', { AlarmName: 'strongroom-freshness' }],
    ['ReconcilerErrorsAlarm52F1B758', 'AWS::CloudWatch::Alarm', { AlarmName: 'strongroom-reconciler-errors' }],
    ['VerifyErrorsAlarmDA0AABFC', 'AWS::CloudWatch::Alarm', { AlarmName: 'strongroom-verify-errors' }],
    ['VerifyFailuresAlarmA0D605DF', 'AWS::CloudWatch::Alarm', { AlarmName: 'strongroom-verify-failures' }],
    // Added with the sealer and the restore state machine; pinned from their first deploy on.
    ['SealerRoleA31B47C5', 'AWS::IAM::Role', { RoleName: 'strongroom-sealer' }],
    ['SealerFunction41DF4A5B', 'AWS::Lambda::Function', { FunctionName: 'strongroom-sealer' }],
    ['SealerErrorsAlarm2829CDF9', 'AWS::CloudWatch::Alarm', { AlarmName: 'strongroom-sealer-errors' }],
    ['RestoreStateMachine43DB65F3', 'AWS::StepFunctions::StateMachine', { StateMachineName: 'strongroom-restore' }],
    // Added with the change-rate alarms (one pair per source, its id derived from the bucket's name).
    [
      'DeletionBurstAlarmacmeprodinvoices06B23902',
      'AWS::CloudWatch::Alarm',
      { AlarmName: 'strongroom-deletions-acme-prod-invoices' },
    ],
    ['WriteBurstAlarmacmeprodinvoicesE27A2488', 'AWS::CloudWatch::Alarm', { AlarmName: 'strongroom-writes-acme-prod-invoices' }],
    [
      'DeletionBurstAlarmacmeproduploadsE5686457',
      'AWS::CloudWatch::Alarm',
      { AlarmName: 'strongroom-deletions-acme-prod-uploads' },
    ],
    ['WriteBurstAlarmacmeproduploadsF7114F04', 'AWS::CloudWatch::Alarm', { AlarmName: 'strongroom-writes-acme-prod-uploads' }],
  ];
  it.each(named)('%s stays the id of the %s named %j', (id, type, props) => {
    expect(logicalIdOf(t, type, props)).toBe(id);
  });

  it('keeps the ids of the retained log groups, the schedules and the Backup job rule', () => {
    expect(['copier', 'reconciler', 'restore', 'verify'].map((kind) => logGroupOf(functionId(`strongroom-${kind}`)))).toEqual([
      'CopierLogGroup1CF5B2BC',
      'ReconcilerLogGroupF3EE86C4',
      'RestoreLogGroupE09E0462',
      'VerifyLogGroupC5E35F11',
    ]);
    expect(Object.keys(resources(t, 'AWS::Events::Rule'))).toEqual(
      expect.arrayContaining([
        'ReconcileSchedule3E7728F7',
        'VerifyScheduleE7815914',
        'SealSchedule7FDD4735',
        'BackupJobFailures5FCF9331',
      ]),
    );
    expect(logGroupOf(functionId('strongroom-sealer'))).toBe('SealerLogGroup926D51B8');
    expect(restoreMachineRoleId).toBe('RestoreStateMachineRole8F988675');
  });
});

describe('event pipeline', () => {
  it('enables EventBridge notifications on each imported source, merging with existing settings (Managed: false)', () => {
    for (const bucket of ['acme-prod-invoices', 'acme-prod-uploads']) {
      t.hasResourceProperties('Custom::S3BucketNotifications', {
        BucketName: bucket,
        NotificationConfiguration: { EventBridgeConfiguration: {} },
        Managed: false,
      });
    }
    t.resourceCountIs('Custom::S3BucketNotifications', 2);
  });

  it('matches Object Created and Object Deleted of exactly the whole-bucket source', () => {
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectEquals({
        source: ['aws.s3'],
        'detail-type': ['Object Created', 'Object Deleted'],
        account: [PRIMARY],
        detail: { bucket: { name: ['acme-prod-invoices'] } },
      }),
      Targets: [{ Arn: getAtt(queueId), DeadLetterConfig: { Arn: getAtt(dlqId) }, Id: 'Target0' }],
    });
  });

  it('matches a prefixed source only under its prefixes, on detail.object.key', () => {
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectEquals({
        source: ['aws.s3'],
        'detail-type': ['Object Created', 'Object Deleted'],
        account: [PRIMARY],
        detail: { bucket: { name: ['acme-prod-uploads'] }, object: { key: [{ prefix: 'customer/' }, { prefix: 'exports/' }] } },
      }),
      Targets: [{ Arn: getAtt(queueId), DeadLetterConfig: { Arn: getAtt(dlqId) }, Id: 'Target0' }],
    });
    // One rule per source, plus the three schedules (reconcile, verify, seal) and the AWS Backup job rule.
    t.resourceCountIs('AWS::Events::Rule', 6);
  });

  it('also matches the percent-encoded spelling of a prefix that encoding changes', () => {
    const { template } = synth(configWith((c) => (c.primaryAccounts[0].sources[1].prefixes = ['Customer Files/é/'])));
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        detail: {
          bucket: { name: ['acme-prod-uploads'] },
          object: { key: [{ prefix: 'Customer Files/é/' }, { prefix: 'Customer%20Files/%C3%A9/' }] },
        },
      }),
    });
  });

  it('queues with SSE-SQS (not the aws/sqs key), a DLQ after maxReceiveCount, visibility of 6 copier timeouts, 14 days', () => {
    t.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'strongroom-events',
      SqsManagedSseEnabled: true,
      KmsMasterKeyId: Match.absent(),
      VisibilityTimeout: 1800,
      MessageRetentionPeriod: 1209600,
      RedrivePolicy: { deadLetterTargetArn: getAtt(dlqId), maxReceiveCount: 5 },
    });
    t.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'strongroom-events-dlq',
      SqsManagedSseEnabled: true,
      KmsMasterKeyId: Match.absent(),
      MessageRetentionPeriod: 1209600,
    });
  });

  it('follows the pipeline settings: timeout, receive count, batch size (with the batching window Lambda requires above 10)', () => {
    const { template } = synth(
      configWith(
        (c) => (c.pipeline = { copierTimeoutSeconds: 120, maxReceiveCount: 3, queueBatchSize: 20, copierReservedConcurrency: 4 }),
      ),
    );
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'strongroom-events',
      VisibilityTimeout: 6 * 120 + 1,
      RedrivePolicy: Match.objectLike({ maxReceiveCount: 3 }),
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 20,
      MaximumBatchingWindowInSeconds: 1,
      ScalingConfig: { MaximumConcurrency: 4 },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'strongroom-copier',
      Timeout: 120,
      ReservedConcurrentExecutions: 4,
    });
  });

  it('refuses requests without TLS on both queues', () => {
    for (const id of [queueId, dlqId]) {
      t.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Action: 'sqs:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              Effect: 'Deny',
              Principal: { AWS: '*' },
              Resource: getAtt(id),
            },
          ]),
        },
      });
    }
  });

  it('lets only the source rules send to the queues', () => {
    const rules = Object.keys(resources(t, 'AWS::Events::Rule')).filter((id) => id.startsWith('SourceEventsRule'));
    expect(rules).toHaveLength(2);
    for (const [id, actions] of [
      [queueId, ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl']],
      [dlqId, 'sqs:SendMessage'],
    ] as const) {
      const policy = Object.values(resources(t, 'AWS::SQS::QueuePolicy')).find(
        (p: Json) => p.Properties.Queues[0].Ref === id,
      ) as Json;
      const allows = policy.Properties.PolicyDocument.Statement.filter((s: Json) => s.Effect === 'Allow');
      expect(allows.map((s: Json) => s.Condition.ArnEquals['aws:SourceArn']['Fn::GetAtt'][0]).sort()).toEqual(rules.sort());
      for (const s of allows) {
        expect(s.Principal).toEqual({ Service: 'events.amazonaws.com' });
        expect(s.Action).toEqual(actions);
      }
    }
  });

  it('feeds the copier from the queue with partial batch failure reporting, the configured batch size and concurrency', () => {
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: getAtt(queueId),
      FunctionName: { Ref: functionId('strongroom-copier') },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 10 },
      MaximumBatchingWindowInSeconds: Match.absent(),
    });
    t.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
  });

  it('runs the reconciler, verify and the sealer on their configured schedules', () => {
    t.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(6 hours)',
      Targets: [Match.objectLike({ Arn: getAtt(functionId('strongroom-reconciler')) })],
    });
    t.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0 5 * * ? *)',
      Targets: [Match.objectLike({ Arn: getAtt(functionId('strongroom-verify')) })],
    });
    t.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
      State: 'ENABLED',
      Targets: [{ Arn: getAtt(functionId('strongroom-sealer')), Id: 'Target0', RetryPolicy: { MaximumRetryAttempts: 2 } }],
    });
    // EventBridge may invoke the sealer, through this rule only.
    t.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: getAtt(functionId('strongroom-sealer')),
      Principal: 'events.amazonaws.com',
      SourceArn: getAtt('SealSchedule7FDD4735'),
    });
  });

  it('takes the seal schedule from pipeline.sealSchedule', () => {
    const { template } = synth(configWith((c) => (c.pipeline = { sealSchedule: 'cron(15 * * * ? *)' })));
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(15 * * * ? *)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': ['SealerFunction41DF4A5B', 'Arn'] } })],
    });
  });
});

describe('functions', () => {
  const kinds = ['copier', 'reconciler', 'restore', 'verify', 'sealer'] as const;

  it.each(kinds)(
    '%s: fixed name, nodejs22.x on arm64, its own role, a retained log group with the configured retention',
    (kind) => {
      const fnId = functionId(`strongroom-${kind}`);
      t.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: `strongroom-${kind}`,
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        Role: getAtt(roleId(`strongroom-${kind}`)),
        Timeout: kind === 'copier' ? 300 : 900,
        MemorySize: 1024,
        // The sealer runs one at a time: a second run would race the first for the next seal's key.
        ReservedConcurrentExecutions: { copier: 10, sealer: 1 }[kind as string] ?? Match.absent(),
      });
      const logGroup = resources(t, 'AWS::Logs::LogGroup')[logGroupOf(fnId)];
      expect(logGroup.Properties.RetentionInDays).toBe(365);
      expect(logGroup.DeletionPolicy).toBe('Retain');
      expect(logGroup.UpdateReplacePolicy).toBe('Retain');
      expect(logGroup.Properties.LogGroupName).toBeUndefined();
    },
  );

  it('takes the log retention from pipeline.logRetentionDays', () => {
    const { template } = synth(configWith((c) => (c.pipeline = { logRetentionDays: 30 })));
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup')) as Json[];
    // The five functions' and the restore state machine's.
    expect(groups.map((g) => g.Properties.RetentionInDays)).toEqual([30, 30, 30, 30, 30, 30]);
  });

  it('sets exactly the environment contract of each function', () => {
    const common = {
      STRONGROOM_NAME: 'strongroom',
      SOURCE_ACCOUNT_ID: PRIMARY,
      VAULT_ACCOUNT_ID: BACKUP,
      VAULT_BUCKET: 'strongroom-vault-111111111111-eu-west-1',
      EXTERNAL_ID: 'strongroom-example-7f3c9a1e5b2d',
      SOURCES: JSON.stringify([
        { bucket: 'acme-prod-invoices' },
        { bucket: 'acme-prod-uploads', prefixes: ['customer/', 'exports/'] },
      ]),
      POWERTOOLS_METRICS_NAMESPACE: 'Strongroom',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
    };
    const expected: Record<(typeof kinds)[number], Json> = {
      copier: {
        ...common,
        POWERTOOLS_SERVICE_NAME: 'copier',
        INGEST_ROLE_ARN: ARN.ingest,
        DEAD_LETTER_QUEUE_URL: { Ref: dlqId },
      },
      reconciler: {
        ...common,
        POWERTOOLS_SERVICE_NAME: 'reconciler',
        AUDITOR_ROLE_ARN: ARN.auditor,
        QUEUE_URL: { Ref: queueId },
        RECONCILER_FUNCTION_NAME: 'strongroom-reconciler',
      },
      restore: {
        ...common,
        POWERTOOLS_SERVICE_NAME: 'restore',
        RESTORE_READER_ROLE_ARN: ARN.restoreReader,
        RESTORE_TARGETS: '["acme-prod-restore"]',
        RESTORE_FUNCTION_NAME: 'strongroom-restore',
        RESTORE_STATE_MACHINE_ARN: ARN.restoreStateMachine,
      },
      verify: {
        ...common,
        POWERTOOLS_SERVICE_NAME: 'verify',
        AUDITOR_ROLE_ARN: ARN.auditor,
        EVIDENCE_WRITER_ROLE_ARN: ARN.evidenceWriter,
        BACKUP_VAULT_ARN: ARN.backupVault,
        RPO_MINUTES: '60',
        BACKUP_PLAN_TAG: '{"key":"strongroom:backup","value":"true"}',
        BACKUP_PLAN_SCHEDULE: 'cron(0 3 * * ? *)',
        // The example encrypts with SSE-S3: no customer key to check.
        VAULT_KEY_ARN: '',
        // Its content is asserted below (the parsed expectations); here only that it is set.
        VERIFY_EXPECTATIONS: Match.stringLikeRegexp('^\\{"retentionDays":'),
      },
      sealer: {
        ...common,
        POWERTOOLS_SERVICE_NAME: 'sealer',
        AUDITOR_ROLE_ARN: ARN.auditor,
        INGEST_ROLE_ARN: ARN.ingest,
        SEAL_SETTLE_SECONDS: '300',
      },
    };
    for (const kind of kinds) {
      t.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: `strongroom-${kind}`,
        Environment: { Variables: Match.objectEquals(expected[kind]) },
      });
    }
  });

  it("gives verify the backup plan's tag and schedule, and the vault key by its alias ARN with SSE_KMS", () => {
    const { template } = synth(
      configWith((c) => {
        c.vault.encryption = { type: 'SSE_KMS', denyKeyDeletion: true };
        c.backupPlan.schedule = 'cron(30 1 ? * MON-FRI *)';
        c.backupPlan.resourceTag = { key: 'backup=tier', value: 'gold' };
      }),
    );
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'strongroom-verify',
      Environment: {
        Variables: Match.objectLike({
          BACKUP_PLAN_TAG: '{"key":"backup=tier","value":"gold"}',
          BACKUP_PLAN_SCHEDULE: 'cron(30 1 ? * MON-FRI *)',
          VAULT_KEY_ARN: 'arn:aws:kms:eu-west-1:111111111111:alias/strongroom-vault',
        }),
      },
    });
  });

  it('takes SEAL_SETTLE_SECONDS from pipeline.sealSettleSeconds', () => {
    const { template } = synth(configWith((c) => (c.pipeline = { sealSettleSeconds: 900 })));
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'strongroom-sealer',
      Environment: { Variables: Match.objectLike({ SEAL_SETTLE_SECONDS: '900' }) },
    });
  });

  it('gives each function an environment its handler accepts (the parsers the functions run)', () => {
    const variables = (kind: string): Record<string, string> => {
      const env = resources(t, 'AWS::Lambda::Function')[functionId(`strongroom-${kind}`)].Properties.Environment.Variables;
      // The queue URL is known at deploy time only; give it the form SQS will.
      return {
        ...env,
        ...(env.QUEUE_URL ? { QUEUE_URL: `https://sqs.eu-west-1.amazonaws.com/${PRIMARY}/strongroom-events` } : {}),
        ...(env.DEAD_LETTER_QUEUE_URL
          ? { DEAD_LETTER_QUEUE_URL: `https://sqs.eu-west-1.amazonaws.com/${PRIMARY}/strongroom-events-dlq` }
          : {}),
      };
    };
    expect(parseCopierEnv(variables('copier')).ingestRoleArn).toBe(ARN.ingest);
    expect(parseReconcilerEnv(variables('reconciler')).reconcilerFunctionName).toBe('strongroom-reconciler');
    expect(parseRestoreEnv(variables('restore')).restoreTargets).toEqual(['acme-prod-restore']);
    expect(parseRestoreEnv(variables('restore'))).toMatchObject({
      restoreFunctionName: 'strongroom-restore',
      restoreStateMachineArn: `arn:aws:states:eu-west-1:${PRIMARY}:stateMachine:strongroom-restore`,
    });
    expect(parseVerifyEnv(variables('verify'))).toMatchObject({
      rpoMinutes: 60,
      backupPlanTag: { key: 'strongroom:backup', value: 'true' },
      backupPlanSchedule: 'cron(0 3 * * ? *)',
      vaultKeyArn: null,
      evidenceWriterRoleArn: `arn:aws:iam::111111111111:role/strongroom-evidence-writer-${PRIMARY}`,
    });
    // What verify measures against: the config's retention and lock, every deny lib/policy writes, the drill.
    const expectations = parseVerifyEnv(variables('verify')).expectations;
    expect(expectations).toMatchObject({
      retentionDays: example.vault.objectLock.retentionDays,
      tlsSid: 'DenyInsecureTransport',
      backupVaultLock: example.backupVault.lock,
      drill: { restoreFunctionName: 'strongroom-restore', targetBucket: 'acme-prod-restore', prefix: '.strongroom/drills/' },
    });
    expect(Object.keys(expectations.denies)).toEqual(
      expect.arrayContaining([
        'DenyInsecureTransport',
        'DenyObjectDestructionExceptBreakGlass',
        `DenyBackupWritesExceptIngest${PRIMARY}`,
      ]),
    );
    expect(parseSealerEnv(variables('sealer'))).toMatchObject({
      ingestRoleArn: ARN.ingest,
      auditorRoleArn: ARN.auditor,
      sealSettleSeconds: 300,
    });
  });

  it('bundles each handler locally with esbuild, minified, with a source map (no Docker)', () => {
    const assembly = main.app.synth();
    const artifact = assembly.getStackArtifact(main.stack.artifactId);
    for (const kind of kinds) {
      const fn = artifact.template.Resources[functionId(`strongroom-${kind}`)];
      const hash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
      const dir = join(assembly.directory, `asset.${hash}`);
      expect(existsSync(join(dir, 'index.js.map'))).toBe(true);
      const code = readFileSync(join(dir, 'index.js'), 'utf8');
      expect(code).toContain('sourceMappingURL=index.js.map');
      expect(code.length / code.split('\n').length).toBeGreaterThan(1000); // minified: long lines (unminified code averages ~40 characters)
      // Every function's core is in this version: none ships a placeholder that refuses to work.
      expect(code).not.toContain('is not available in this version of Strongroom');
    }
  });
});

describe('roles: exact permissions, fixed names', () => {
  const sourceObjects = [
    'arn:aws:s3:::acme-prod-invoices/*',
    'arn:aws:s3:::acme-prod-uploads/customer/*',
    'arn:aws:s3:::acme-prod-uploads/exports/*',
  ];
  const listSources = ['s3:ListBucket', 's3:ListBucketVersions'].flatMap((a) => [
    atom(a, 'arn:aws:s3:::acme-prod-invoices'),
    atom(a, 'arn:aws:s3:::acme-prod-uploads', { StringLike: { 's3:prefix': ['customer/*', 'exports/*'] } }),
  ]);

  it.each(['copier', 'reconciler', 'restore', 'verify', 'sealer'])('strongroom-%s is assumable by Lambda only', (kind) => {
    t.hasResourceProperties('AWS::IAM::Role', {
      RoleName: `strongroom-${kind}`,
      AssumeRolePolicyDocument: Match.objectEquals({
        Version: '2012-10-17',
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }],
      }),
      ManagedPolicyArns: Match.absent(),
    });
  });

  it('copier: reads the configured objects, assumes the ingest role, consumes the queue, forwards to its DLQ', () => {
    expect(atoms(roleStatements(t, roleId('strongroom-copier')))).toEqual(
      [
        ...sourceObjects.flatMap((r) => [atom('s3:GetObject', r), atom('s3:GetObjectVersion', r)]),
        ...['arn:aws:s3:::acme-prod-invoices', 'arn:aws:s3:::acme-prod-uploads'].map((r) => atom('s3:ListBucket', r)),
        atom('sts:AssumeRole', ARN.ingest),
        ...['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'].map((a) => atom(a, getAtt(dlqId))),
        ...[
          'sqs:ReceiveMessage',
          'sqs:ChangeMessageVisibility',
          'sqs:GetQueueUrl',
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
        ].map((a) => atom(a, getAtt(queueId))),
        ...logsAtoms('strongroom-copier'),
      ].sort(),
    );
  });

  it('copier: may decrypt with the configured source keys only, and only through S3', () => {
    const key = 'arn:aws:kms:eu-west-1:222222222222:key/0f4c1a7e-1111-2222-3333-444455556666';
    const { template } = synth(configWith((c) => (c.primaryAccounts[0].sources[1].kmsKeyArn = key)));
    const id = Object.keys(
      template.findResources('AWS::IAM::Role', { Properties: { RoleName: 'strongroom-copier' } }),
    )[0] as string;
    const kms = atoms(roleStatements(template, id)).filter((a) => a.includes('kms:'));
    expect(kms).toEqual([atom('kms:Decrypt', key, { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } })]);
    const kmsActions = policyDocuments(template).flatMap(({ document }) =>
      (document.Statement as Json[]).flatMap((st) => (asList(st.Action) as string[]).filter((a) => a.startsWith('kms:'))),
    );
    // The copier's, and the verify role's (it hashes a sample of source objects), both through S3 only.
    expect(kmsActions).toEqual(['kms:Decrypt', 'kms:Decrypt']);
  });

  it('reconciler: lists the sources by prefix, assumes the auditor role, enqueues, re-invokes itself', () => {
    expect(atoms(roleStatements(t, roleId('strongroom-reconciler')))).toEqual(
      [
        ...listSources,
        atom('sts:AssumeRole', ARN.auditor),
        atom('lambda:InvokeFunction', `arn:aws:lambda:eu-west-1:${PRIMARY}:function:strongroom-reconciler`),
        ...['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'].map((a) => atom(a, getAtt(queueId))),
        ...logsAtoms('strongroom-reconciler'),
      ].sort(),
    );
  });

  it('restore: assumes the restore-reader role; writes, reads, lists and marks extraneous keys in the restore targets only; continues in itself; starts and follows the restore state machine only', () => {
    expect(atoms(roleStatements(t, roleId('strongroom-restore')))).toEqual(
      [
        atom('sts:AssumeRole', ARN.restoreReader),
        atom('lambda:InvokeFunction', ARN.restoreFunction),
        atom('states:StartExecution', ARN.restoreStateMachine),
        atom('states:DescribeExecution', `arn:aws:states:eu-west-1:${PRIMARY}:execution:strongroom-restore:*`),
        atom('s3:PutObject', 'arn:aws:s3:::acme-prod-restore/*'),
        atom('s3:AbortMultipartUpload', 'arn:aws:s3:::acme-prod-restore/*'),
        atom('s3:GetObject', 'arn:aws:s3:::acme-prod-restore/*'),
        atom('s3:DeleteObject', 'arn:aws:s3:::acme-prod-restore/*'),
        atom('s3:ListBucket', 'arn:aws:s3:::acme-prod-restore'),
        atom('s3:GetBucketVersioning', 'arn:aws:s3:::acme-prod-restore'),
        ...logsAtoms('strongroom-restore'),
      ].sort(),
    );
  });

  it('verify: assumes the auditor role, lists the sources, reads their versioning, lock and notification settings, lists tagged resources', () => {
    expect(atoms(roleStatements(t, roleId('strongroom-verify')))).toEqual(
      [
        atom('sts:AssumeRole', ARN.auditor),
        atom('sts:AssumeRole', ARN.evidenceWriter),
        ...listSources,
        ...['s3:GetBucketVersioning', 's3:GetBucketObjectLockConfiguration', 's3:GetBucketNotification'].flatMap((a) => [
          atom(a, 'arn:aws:s3:::acme-prod-invoices'),
          atom(a, 'arn:aws:s3:::acme-prod-uploads'),
        ]),
        // The backup plan's tagged resources, for backup.recovery-points: the API takes Resource "*" only.
        atom('tag:GetResources', '*'),
        // coverage.sha256 reads a sample of source objects and hashes them.
        ...sourceObjects.flatMap((r) => [atom('s3:GetObject', r), atom('s3:GetObjectVersion', r)]),
        // The drill runs as the restore function: verify may only ask it to.
        atom('lambda:InvokeFunction', 'arn:aws:lambda:eu-west-1:222222222222:function:strongroom-restore'),
        ...logsAtoms('strongroom-verify'),
      ].sort(),
    );
  });

  it('sealer: assumes exactly the auditor and the ingest role, and writes its log; nothing in this account', () => {
    expect(atoms(roleStatements(t, roleId('strongroom-sealer')))).toEqual(
      [atom('sts:AssumeRole', ARN.auditor), atom('sts:AssumeRole', ARN.ingest), ...logsAtoms('strongroom-sealer')].sort(),
    );
  });

  it('grants no delete action anywhere but three named ones, and no wildcard action (scan of every policy document)', () => {
    const allowedDeletes: Json[] = [];
    for (const { where, owner, document } of policyDocuments(t)) {
      for (const statement of document.Statement as Json[]) {
        if (statement.Effect !== 'Allow') continue;
        for (const action of asList(statement.Action) as string[]) {
          expect(`${where}: ${action}`).not.toMatch(/\*/);
          if (!/delete/i.test(action)) continue;
          allowedDeletes.push({ owner, action, resource: statement.Resource });
        }
      }
    }
    expect(allowedDeletes).toEqual([
      // The Lambda SQS poller deletes a message once the copier reports it copied, using the copier's role.
      // It deletes a queue message, never data.
      { owner: roleId('strongroom-copier'), action: 'sqs:DeleteMessage', resource: getAtt(queueId) },
      // A restore asked to remove keys that did not exist at T, in a versioned restore target only (the
      // executor checks): s3:DeleteObject there places a delete marker and destroys no version.
      // s3:DeleteObjectVersion is granted nowhere, and never on a source or the vault.
      { owner: roleId('strongroom-restore'), action: 's3:DeleteObject', resource: 'arn:aws:s3:::acme-prod-restore/*' },
      // Step Functions manages the delivery of the restore state machine's execution log with the state machine's
      // role (AWS requires the whole set, on "*"): it removes a log delivery, never a log group or a log line.
      { owner: restoreMachineRoleId, action: 'logs:DeleteLogDelivery', resource: '*' },
    ]);
  });

  it('attaches AWS managed policies to the two service roles only (their contents are AWS’s, not in the template)', () => {
    const managed = Object.entries(resources(t, 'AWS::IAM::Role'))
      .filter(([, r]) => r.Properties.ManagedPolicyArns)
      .map(([, r]) => ({
        trust: r.Properties.AssumeRolePolicyDocument.Statement.map((s: Json) => s.Principal.Service),
        policies: r.Properties.ManagedPolicyArns.map(resourceText),
      }));
    expect(managed).toEqual(
      expect.arrayContaining([
        {
          trust: ['backup.amazonaws.com'],
          policies: ['arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup'],
        },
        { trust: ['lambda.amazonaws.com'], policies: ['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'] },
      ]),
    );
    expect(managed).toHaveLength(2);
  });
});

describe('no permission reaches the backup account beyond the four vault roles and the Backup copy', () => {
  /*
   * Every Allow statement of every policy document (identity, trust, resource policies) in every
   * primary template is checked: a resource in another account must be one of this account's three
   * vault roles (sts:AssumeRole) or the backup account's locked vault (backup:CopyIntoBackupVault,
   * on the AWS Backup service role only); S3 resources (ARNs carry no account) must be configured
   * sources or restore targets; no resource is "*" but for the CloudWatch Logs delivery actions of the
   * restore state machine's role (none of them takes a narrower resource; none reaches another account's
   * data); no principal is outside this account.
   *
   * What the template cannot show, reasoned instead: the two AWS managed policies. The AWS Backup
   * service role's AWSBackupServiceRolePolicyForBackup grants backup:CopyIntoBackupVault on
   * backup-vault:* (that is where a plan's copy normally gets it; the stack also names the one vault
   * inline) and snapshot/backup actions on the account's own resources; AWSLambdaBasicExecutionRole
   * grants CloudWatch Logs writes, which cannot reach another account. Both roles are assumable only
   * by AWS services (backup.amazonaws.com, lambda.amazonaws.com for CDK's notifications handler).
   */
  const twoAccounts = twoAccountConfig();
  const templates = twoAccounts.primaryAccounts.map((account) => ({
    account,
    template: synth(twoAccounts, account.accountId).template,
  }));

  it.each(templates.map(({ account, template }) => [account.name, account.accountId, template] as const))(
    'primary account %s (%s)',
    (_name, accountId, template) => {
      const account = twoAccounts.primaryAccounts.find((a) => a.accountId === accountId);
      const buckets = new Set([...(account?.sources.map((s) => s.bucket) ?? []), ...(account?.restoreTargets ?? [])]);
      const vaultRoles = ['ingest', 'restore-reader', 'auditor', 'evidence-writer'].map(
        (k) => `arn:aws:iam::${BACKUP}:role/strongroom-${k}-${accountId}`,
      );
      const backupRoleId = logicalIdOf(template, 'AWS::IAM::Role', {
        AssumeRolePolicyDocument: Match.objectLike({
          Statement: [Match.objectLike({ Principal: { Service: 'backup.amazonaws.com' } })],
        }),
      });
      const crossAccount: string[] = [];
      const anyResource: string[] = [];
      const statesRole = statesRoleOf(template);
      const verifyRole = logicalIdOf(template, 'AWS::IAM::Role', { RoleName: 'strongroom-verify' });
      const verifyAnyResource: string[] = [];
      let checked = 0;
      for (const { where, owner, document } of policyDocuments(template)) {
        for (const statement of document.Statement as Json[]) {
          if (statement.Effect !== 'Allow') continue;
          const principal = JSON.stringify(statement.Principal ?? {});
          expect(`${where}: ${principal}`).not.toMatch(/\d{12}/);
          for (const resource of asList(statement.Resource).map(resourceText)) {
            checked++;
            if (resource === '*' && owner === statesRole) {
              anyResource.push(...(asList(statement.Action) as string[]));
              continue;
            }
            // tag:GetResources takes no resource-level permission; it lists this account's tagged resources.
            if (resource === '*' && owner === verifyRole) {
              verifyAnyResource.push(...(asList(statement.Action) as string[]));
              continue;
            }
            expect(`${where}: ${resource}`).not.toMatch(/^\*$|:\*:/);
            if (resource.startsWith('local:')) continue;
            const [, partition, service, , resourceAccount, rest] =
              /^arn:([^:]+):([^:]+):([^:]*):([^:]*):(.*)$/.exec(resource) ?? [];
            expect({ where, resource, partition }).toEqual({ where, resource, partition: 'aws' });
            if (service === 's3') {
              expect({ where, bucket: rest?.split('/')[0], known: buckets.has(rest?.split('/')[0] ?? '') }).toMatchObject({
                known: true,
              });
              continue;
            }
            if (resourceAccount === accountId || (service === 'iam' && resourceAccount === 'aws')) continue;
            for (const action of asList(statement.Action) as string[]) {
              crossAccount.push(`${owner === backupRoleId ? 'backup-service-role' : owner}|${action}|${resource}`);
            }
          }
        }
      }
      expect(checked).toBeGreaterThan(20);
      expect(anyResource.sort()).toEqual([...STATES_LOG_DELIVERY_ACTIONS].sort());
      expect(verifyAnyResource).toEqual(['tag:GetResources']);
      const roleOf = (name: string) => logicalIdOf(template, 'AWS::IAM::Role', { RoleName: name });
      expect(crossAccount.sort()).toEqual(
        [
          `${roleOf('strongroom-copier')}|sts:AssumeRole|${vaultRoles[0]}`,
          `${roleOf('strongroom-restore')}|sts:AssumeRole|${vaultRoles[1]}`,
          `${roleOf('strongroom-reconciler')}|sts:AssumeRole|${vaultRoles[2]}`,
          `${roleOf('strongroom-verify')}|sts:AssumeRole|${vaultRoles[2]}`,
          // Verify files its report as the evidence writer.
          `${roleOf('strongroom-verify')}|sts:AssumeRole|${vaultRoles[3]}`,
          // The sealer reads the journal as the auditor and appends seals as the ingest role.
          `${roleOf('strongroom-sealer')}|sts:AssumeRole|${vaultRoles[0]}`,
          `${roleOf('strongroom-sealer')}|sts:AssumeRole|${vaultRoles[2]}`,
          `backup-service-role|backup:CopyIntoBackupVault|${ARN.backupVault}`,
        ].sort(),
      );
    },
  );
});

describe('the restore state machine (large restores on Step Functions)', () => {
  const machineId = logicalIdOf(t, 'AWS::StepFunctions::StateMachine', { StateMachineName: 'strongroom-restore' });
  const machine = (template = t, id = machineId) => resources(template, 'AWS::StepFunctions::StateMachine')[id].Properties;
  /** The definition as Step Functions reads it: the Fn::Join resolved, this stack's resources as `local:<id>`. */
  const definition = (template = t): Json => {
    const [id] = Object.keys(resources(template, 'AWS::StepFunctions::StateMachine'));
    return JSON.parse(resourceText(machine(template, id).DefinitionString));
  };
  const map = (template = t): Json => definition(template).States.RestoreBatches;
  const restoreFn = `local:${functionId('strongroom-restore')}`;

  it('is one Standard state machine with its fixed name, JSONata, starting at the Distributed Map', () => {
    t.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    expect(machine()).toMatchObject({
      StateMachineName: 'strongroom-restore',
      StateMachineType: 'STANDARD',
      RoleArn: getAtt(restoreMachineRoleId),
    });
    expect(definition()).toMatchObject({ StartAt: 'RestoreBatches', QueryLanguage: 'JSONata' });
    expect(Object.keys(definition().States)).toEqual(['RestoreBatches']);
    expect(map()).toMatchObject({ Type: 'Map', End: true, Label: 'RestoreBatches' });
    expect(map().ItemProcessor.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
  });

  it('reads the manifest named in its input from the target bucket named in its input, as JSON Lines', () => {
    expect(map().ItemReader).toEqual({
      Resource: 'arn:aws:states:::s3:getObject',
      ReaderConfig: { InputType: 'JSONL' },
      Arguments: { Bucket: '{% $states.input.targetBucket %}', Key: '{% $states.input.manifestKey %}' },
    });
  });

  it('batches up to 100 lines (and under 256 KiB), each batch carrying the restore id and target bucket', () => {
    expect(map().ItemBatcher).toEqual({
      MaxItemsPerBatch: 100,
      MaxInputBytesPerBatch: 196608,
      BatchInput: { restoreId: '{% $states.input.restoreId %}', targetBucket: '{% $states.input.targetBucket %}' },
    });
  });

  it('runs pipeline.restoreMapConcurrency batches at once (10 by default) and tolerates no failed batch', () => {
    expect(map()).toMatchObject({ MaxConcurrency: 10, ToleratedFailurePercentage: 0 });
    const { template } = synth(configWith((c) => (c.pipeline = { restoreMapConcurrency: 250 })));
    expect(map(template)).toMatchObject({ MaxConcurrency: 250, ToleratedFailurePercentage: 0 });
  });

  it('writes the run’s results under .strongroom/restores/<restoreId>/results in the target bucket', () => {
    expect(map().ResultWriter).toEqual({
      Resource: 'arn:aws:states:::s3:putObject',
      Arguments: {
        Bucket: '{% $states.input.targetBucket %}',
        Prefix: "{% '.strongroom/restores/' & $states.input.restoreId & '/results' %}",
      },
    });
  });

  it('invokes the restore function once per batch with {action: "batch", restoreId, targetBucket, items}, retrying service errors, throttling and unfinished batches', () => {
    const processor = map().ItemProcessor;
    expect(processor.StartAt).toBe('RestoreBatch');
    expect(Object.keys(processor.States)).toEqual(['RestoreBatch']);
    expect(processor.States.RestoreBatch).toEqual({
      Type: 'Task',
      QueryLanguage: 'JSONata',
      Resource: 'arn:aws:states:::lambda:invoke',
      Arguments: {
        FunctionName: restoreFn,
        Payload: {
          action: 'batch',
          restoreId: '{% $states.input.BatchInput.restoreId %}',
          targetBucket: '{% $states.input.BatchInput.targetBucket %}',
          items: '{% $states.input.Items %}',
        },
      },
      Output: '{% $states.result.Payload %}',
      Retry: [
        {
          ErrorEquals: [
            'Lambda.ServiceException',
            'Lambda.AWSLambdaException',
            'Lambda.SdkClientException',
            'Lambda.ClientExecutionTimeoutException',
          ],
          IntervalSeconds: 2,
          MaxAttempts: 6,
          BackoffRate: 2,
          JitterStrategy: 'FULL',
        },
        {
          ErrorEquals: ['Lambda.TooManyRequestsException'],
          IntervalSeconds: 5,
          MaxAttempts: 10,
          BackoffRate: 2,
          MaxDelaySeconds: 120,
          JitterStrategy: 'FULL',
        },
        // A batch some of whose objects failed (the handler's RestoreBatchError), or that ran out of time:
        // retried, it skips what the target already holds.
        {
          ErrorEquals: ['RestoreBatchError', 'Sandbox.Timedout'],
          IntervalSeconds: 30,
          MaxAttempts: 2,
          BackoffRate: 2,
          JitterStrategy: 'FULL',
        },
      ],
      End: true,
    });
  });

  it('has nothing in its definition beyond what the tests above name', () => {
    const { ItemProcessor, ItemReader, ItemBatcher, ResultWriter, ...rest } = map();
    expect({ ItemProcessor, ItemReader, ItemBatcher, ResultWriter }).toBeDefined();
    expect(rest).toEqual({
      Type: 'Map',
      Comment: expect.any(String),
      End: true,
      Label: 'RestoreBatches',
      MaxConcurrency: 10,
      ToleratedFailurePercentage: 0,
    });
    expect(Object.keys(definition()).sort()).toEqual(['Comment', 'QueryLanguage', 'StartAt', 'States']);
  });

  it('logs every event (without execution data) to a retained log group with the configured retention; no X-Ray', () => {
    const { LoggingConfiguration, TracingConfiguration } = machine();
    expect(LoggingConfiguration).toEqual({
      Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: getAtt('RestoreStateMachineLogGroup6811B416') } }],
      IncludeExecutionData: false,
      Level: 'ALL',
    });
    expect(TracingConfiguration).toEqual({ Enabled: false });
    const group = resources(t, 'AWS::Logs::LogGroup').RestoreStateMachineLogGroup6811B416;
    expect(group.Properties.RetentionInDays).toBe(365);
    expect(group.DeletionPolicy).toBe('Retain');
    const { template } = synth(configWith((c) => (c.pipeline = { logRetentionDays: 30 })));
    expect(resources(template, 'AWS::Logs::LogGroup').RestoreStateMachineLogGroup6811B416.Properties.RetentionInDays).toBe(30);
  });

  it('its role is assumable by Step Functions of this account only, with no managed policy', () => {
    const role = resources(t, 'AWS::IAM::Role')[restoreMachineRoleId].Properties;
    expect(role.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'states.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': PRIMARY } },
        },
      ],
    });
    expect(role.ManagedPolicyArns).toBeUndefined();
  });

  it('its role: reads manifests and writes results in the restore targets only, invokes the restore function only, runs its own map’s children, delivers its log', () => {
    const work = 'arn:aws:s3:::acme-prod-restore/.strongroom/restores/*';
    expect(atoms(roleStatements(t, restoreMachineRoleId))).toEqual(
      [
        atom('s3:GetObject', `${work}/manifest.jsonl`),
        ...['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'].map((a) =>
          atom(a, `${work}/results/*`),
        ),
        atom('lambda:InvokeFunction', ARN.restoreFunction),
        atom('states:StartExecution', ARN.restoreStateMachine),
        ...['states:DescribeExecution', 'states:StopExecution'].map((a) =>
          atom(a, `arn:aws:states:eu-west-1:${PRIMARY}:execution:strongroom-restore/RestoreBatches:*`),
        ),
        ...STATES_LOG_DELIVERY_ACTIONS.map((a) => atom(a, '*')),
      ].sort(),
    );
    // No AWS::IAM::Policy names the role: CDK's own grants (s3:PutObject on "*" for a result writer given a
    // bucket path, the DistributedMapPolicy) never reach it.
    const attached = Object.values(resources(t, 'AWS::IAM::Policy')).filter((p: Json) =>
      asList(p.Properties.Roles).some((r: Json) => r.Ref === restoreMachineRoleId),
    );
    expect(attached).toEqual([]);
  });

  it('its role names every restore target, and no S3 resource at all when there is none', () => {
    const two = synth(
      configWith((c) => (c.primaryAccounts[0].restoreTargets = ['acme-prod-restore', 'acme-prod-drill'])),
    ).template;
    const s3 = (template: Template) =>
      atoms(roleStatements(template, statesRoleOf(template))).filter((a) => a.includes('"action":"s3:'));
    expect(s3(two).filter((a) => a.includes('acme-prod-drill/.strongroom/restores/*/'))).toHaveLength(5);
    const none = synth(
      configWith((c) => {
        c.primaryAccounts[0].restoreTargets = [];
        delete c.primaryAccounts[0].drill;
      }),
    ).template;
    expect(s3(none)).toEqual([]);
  });

  it('reads and writes where the restore service keeps a restore’s work (the contract and lambda/core agree)', () => {
    expect(RESTORE_WORK_PREFIX).toBe(SERVICE_WORK_PREFIX);
    expect(`${RESTORE_WORK_PREFIX}r-x/${RESTORE_MANIFEST_FILE}`).toBe('.strongroom/restores/r-x/manifest.jsonl');
  });

  it('is named by the restore function’s environment, and its ARN is an output', () => {
    const env = resources(t, 'AWS::Lambda::Function')[functionId('strongroom-restore')].Properties.Environment.Variables;
    expect(env.RESTORE_STATE_MACHINE_ARN).toBe(ARN.restoreStateMachine);
    expect(t.toJSON().Outputs.RestoreStateMachineArn.Value).toEqual({ Ref: machineId });
  });
});

describe('AWS Backup', () => {
  it('keeps recovery points in a retained local vault and copies each into the backup account’s vault', () => {
    const vaultId = logicalIdOf(t, 'AWS::Backup::BackupVault', { BackupVaultName: 'strongroom-local' });
    expect(resources(t, 'AWS::Backup::BackupVault')[vaultId].DeletionPolicy).toBe('Retain');
    t.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: {
        BackupPlanName: 'strongroom-plan',
        BackupPlanRule: [
          Match.objectEquals({
            RuleName: 'ScheduledWithCrossAccountCopy',
            ScheduleExpression: 'cron(0 3 * * ? *)',
            TargetBackupVault: getAtt(vaultId, 'BackupVaultName'),
            Lifecycle: { DeleteAfterDays: 7 },
            CopyActions: [{ DestinationBackupVaultArn: ARN.backupVault, Lifecycle: { DeleteAfterDays: 35 } }],
          }),
        ],
      },
    });
  });

  it('takes retention and schedule from backupPlan', () => {
    const { template } = synth(
      configWith((c) =>
        Object.assign(c.backupPlan, { retentionDays: 90, localRetentionDays: 3, schedule: 'cron(30 1 ? * SUN *)' }),
      ),
    );
    template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: {
        BackupPlanRule: [
          Match.objectLike({
            ScheduleExpression: 'cron(30 1 ? * SUN *)',
            Lifecycle: { DeleteAfterDays: 3 },
            CopyActions: [{ DestinationBackupVaultArn: ARN.backupVault, Lifecycle: { DeleteAfterDays: 90 } }],
          }),
        ],
      },
    });
  });

  it('selects EBS, EC2, RDS instances and clusters, DynamoDB and EFS of this account carrying the tag (AND)', () => {
    const backupRoleId = logicalIdOf(t, 'AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'backup.amazonaws.com' } })],
      }),
    });
    t.hasResourceProperties('AWS::Backup::BackupSelection', {
      BackupSelection: Match.objectEquals({
        SelectionName: 'strongroom-plan-tagged',
        IamRoleArn: getAtt(backupRoleId),
        Resources: [
          `arn:aws:ec2:eu-west-1:${PRIMARY}:volume/*`,
          `arn:aws:ec2:eu-west-1:${PRIMARY}:instance/*`,
          `arn:aws:rds:eu-west-1:${PRIMARY}:db:*`,
          `arn:aws:rds:eu-west-1:${PRIMARY}:cluster:*`,
          `arn:aws:dynamodb:eu-west-1:${PRIMARY}:table/*`,
          `arn:aws:elasticfilesystem:eu-west-1:${PRIMARY}:file-system/*`,
        ],
        Conditions: { StringEquals: [{ ConditionKey: 'aws:ResourceTag/strongroom:backup', ConditionValue: 'true' }] },
      }),
    });
    const { template } = synth(configWith((c) => (c.backupPlan.resourceTag = { key: 'backup-tier', value: 'gold' })));
    template.hasResourceProperties('AWS::Backup::BackupSelection', {
      BackupSelection: Match.objectLike({
        Conditions: { StringEquals: [{ ConditionKey: 'aws:ResourceTag/backup-tier', ConditionValue: 'gold' }] },
      }),
    });
  });

  it('runs as a role assumable by AWS Backup only, allowed to copy into exactly the backup account’s vault', () => {
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectEquals({
        Version: '2012-10-17',
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'backup.amazonaws.com' } }],
      }),
      Policies: [
        {
          PolicyName: 'CopyIntoBackupAccountVault',
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'CopyIntoBackupAccountVault',
                Effect: 'Allow',
                Action: 'backup:CopyIntoBackupVault',
                Resource: ARN.backupVault,
              },
            ],
          },
        },
      ],
    });
  });
});

describe('alerts', () => {
  it('sends to an SNS topic with the configured e-mail subscription; unencrypted by decision, TLS only', () => {
    t.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'strongroom-alerts', KmsMasterKeyId: Match.absent() });
    t.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'platform-oncall@example.com',
      TopicArn: { Ref: topicId },
    });
    t.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: {
              StringEquals: { 'aws:SourceAccount': PRIMARY },
              ArnLike: { 'aws:SourceArn': `arn:aws:cloudwatch:eu-west-1:${PRIMARY}:alarm:strongroom-*` },
            },
          }),
          Match.objectLike({ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sns:Publish' }),
        ]),
      },
    });
  });

  const common = {
    ComparisonOperator: 'GreaterThanThreshold',
    EvaluationPeriods: 1,
    Period: 300,
    TreatMissingData: 'notBreaching',
  };
  const alarms = () => ({
    'strongroom-dead-letters': {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: getAtt(dlqId, 'QueueName') }],
      Statistic: 'Maximum',
      Threshold: 0,
    },
    'strongroom-copier-errors': {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId('strongroom-copier') } }],
      Statistic: 'Sum',
      Threshold: 0,
    },
    'strongroom-freshness': {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: getAtt(queueId, 'QueueName') }],
      Statistic: 'Maximum',
      Threshold: 3600,
    },
    'strongroom-reconciler-errors': {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId('strongroom-reconciler') } }],
      Statistic: 'Sum',
      Threshold: 0,
    },
    'strongroom-verify-errors': {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId('strongroom-verify') } }],
      Statistic: 'Sum',
      Threshold: 0,
    },
    'strongroom-verify-failures': {
      Namespace: 'Strongroom',
      MetricName: 'VerifyFailures',
      Dimensions: [{ Name: 'service', Value: 'verify' }],
      Statistic: 'Sum',
      Threshold: 0,
    },
    'strongroom-sealer-errors': {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId('strongroom-sealer') } }],
      Statistic: 'Sum',
      Threshold: 0,
    },
    // The change-rate alarms: one pair per source bucket, on the copier's per-source counts (default thresholds).
    ...Object.fromEntries(
      ['acme-prod-invoices', 'acme-prod-uploads'].flatMap((bucket) => [
        [`strongroom-deletions-${bucket}`, changeRateAlarm(bucket, 'SourceDeletions', 100)],
        [`strongroom-writes-${bucket}`, changeRateAlarm(bucket, 'SourceWrites', 10_000)],
      ]),
    ),
  });
  function changeRateAlarm(bucket: string, metric: string, threshold: number) {
    return {
      Namespace: 'Strongroom',
      MetricName: metric,
      Dimensions: [
        { Name: 'service', Value: 'copier' },
        { Name: 'sourceBucket', Value: bucket },
      ],
      Statistic: 'Sum',
      Threshold: threshold,
    };
  }

  it('has exactly the documented alarms', () => {
    const names = Object.values(resources(t, 'AWS::CloudWatch::Alarm')).map((a: Json) => a.Properties.AlarmName);
    expect(names.sort()).toEqual(Object.keys(alarms()).sort());
  });

  it.each(Object.keys(alarms()))('%s: metric, statistic, threshold, and the SNS action', (name) => {
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: name,
      ...common,
      ...alarms()[name as keyof ReturnType<typeof alarms>],
      AlarmActions: [{ Ref: topicId }],
    });
  });

  it('puts the freshness threshold at the configured RPO', () => {
    const { template } = synth(configWith((c) => (c.pipeline = { rpoMinutes: 15 })));
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'strongroom-freshness', Threshold: 900 });
  });

  it('sums the change rate over the configured interval and fires above the configured thresholds', () => {
    const { template } = synth(
      configWith(
        (c) =>
          (c.alerts = {
            email: 'ops@example.com',
            changeRate: { intervalMinutes: 1, deletionsPerInterval: 7, writesPerInterval: 50 },
          }),
      ),
    );
    for (const bucket of ['acme-prod-invoices', 'acme-prod-uploads']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `strongroom-deletions-${bucket}`,
        ...changeRateAlarm(bucket, 'SourceDeletions', 7),
        Period: 60,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [{ Ref: topicId }],
        AlarmDescription: Match.stringLikeRegexp(`More than 7 objects or versions of ${bucket} were deleted in 1 minute`),
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `strongroom-writes-${bucket}`,
        ...changeRateAlarm(bucket, 'SourceWrites', 50),
        Period: 60,
      });
    }
  });

  it('alerts on AWS Backup backup and copy jobs that failed, aborted, expired or only partly completed', () => {
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectEquals({
        source: ['aws.backup'],
        'detail-type': ['Backup Job State Change', 'Copy Job State Change'],
        detail: { state: ['FAILED', 'ABORTED', 'EXPIRED', 'PARTIAL'] },
      }),
      Targets: [{ Arn: { Ref: topicId }, Id: 'Target0' }],
    });
  });
});

describe('cdk-nag AwsSolutions', () => {
  const variants: Array<[string, Stack]> = [
    ['the example', main.stack],
    ...twoAccountConfig().primaryAccounts.map(
      (a) => [`two accounts: ${a.name}`, synth(twoAccountConfig(), a.accountId).stack] as [string, Stack],
    ),
    [
      'a KMS-encrypted source and no restore target',
      synth(
        configWith((c) => {
          c.primaryAccounts[0].sources[0].kmsKeyArn =
            'arn:aws:kms:eu-west-1:222222222222:key/0f4c1a7e-1111-2222-3333-444455556666';
          c.primaryAccounts[0].restoreTargets = [];
          delete c.primaryAccounts[0].drill;
        }),
      ).stack,
    ],
  ];

  it.each(variants)('%s: no unacknowledged finding', (_name, stack) => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(
      report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`),
    ).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('acknowledges findings one by one, each with a written reason', () => {
    const acks = main.stack.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.entries(m.data as Record<string, string>));
    expect(acks.map(([id]) => id.replace(/^Annotation::/, '')).sort()).toEqual(
      [
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'AwsSolutions-IAM5[Resource::arn:aws:s3:::acme-prod-invoices/*]',
        'AwsSolutions-IAM5[Resource::arn:aws:s3:::acme-prod-restore/*]',
        'AwsSolutions-IAM5[Resource::arn:aws:s3:::acme-prod-uploads/customer/*]',
        'AwsSolutions-IAM5[Resource::arn:aws:s3:::acme-prod-uploads/exports/*]',
        // The verify role reads the same source objects (coverage.sha256).
        'AwsSolutions-IAM5[Resource::arn:aws:s3:::acme-prod-invoices/*]',
        'AwsSolutions-IAM5[Resource::arn:aws:s3:::acme-prod-uploads/customer/*]',
        'AwsSolutions-IAM5[Resource::arn:aws:s3:::acme-prod-uploads/exports/*]',
        // The restore role follows the restore state machine's executions.
        'AwsSolutions-IAM5[Resource::arn:aws:states:eu-west-1:222222222222:execution:strongroom-restore:*]',
        // The restore state machine's role: log delivery, manifests and results, its map's child executions.
        'AwsSolutions-IAM5[Resource::*]',
        // The verify role's tag:GetResources (no resource-level permission exists for it).
        'AwsSolutions-IAM5[Resource::*]',
        'AwsSolutions-IAM5[Resource::arn:aws:s3:::acme-prod-restore/.strongroom/restores/*/manifest.jsonl]',
        'AwsSolutions-IAM5[Resource::arn:aws:s3:::acme-prod-restore/.strongroom/restores/*/results/*]',
        'AwsSolutions-IAM5[Resource::arn:aws:states:eu-west-1:222222222222:execution:strongroom-restore/RestoreBatches:*]',
        // One per function: the sealer is the fifth.
        'AwsSolutions-L1',
        'AwsSolutions-L1',
        'AwsSolutions-L1',
        'AwsSolutions-L1',
        'AwsSolutions-L1',
        'AwsSolutions-SF2',
        'AwsSolutions-SNS2',
      ].sort(),
    );
    for (const [, reason] of acks) expect(reason.length).toBeGreaterThan(40);
  });
});
