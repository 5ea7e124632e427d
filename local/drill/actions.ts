/**
 * The requests of the attack drill: one per destructive, forging or prying action, each a function of the
 * drill context and the principal making it. catalogue.ts says who tries which and what must happen.
 */
import { createHash } from 'node:crypto';
import {
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteBucketCorsCommand,
  DeleteBucketPolicyCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  DeleteObjectTaggingCommand,
  GetBucketPolicyCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketAclCommand,
  PutBucketCorsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketPolicyCommand,
  PutBucketReplicationCommand,
  PutBucketVersioningCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  PutObjectLockConfigurationCommand,
  PutObjectRetentionCommand,
  PutObjectTaggingCommand,
} from '@aws-sdk/client-s3';
import type { VaultRoleKind } from '../../lib/policy/vault-roles';
import { assumeVaultRole } from '../sessions';
import type { DenyName, DrillContext, DrillTarget, PrincipalId } from './catalogue';

export type Category =
  | 'delete version'
  | 'delete marker'
  | 'retention'
  | 'legal hold'
  | 'overwrite'
  | 'forge'
  | 'copy over'
  | 'tagging'
  | 'acl'
  | 'bucket policy'
  | 'bucket config'
  | 'replication'
  | 'bucket deletion'
  | 'read'
  | 'list'
  | 'assume role';

export interface ActionDef {
  readonly attempt: string;
  readonly category: Category;
  /** The bucket-policy denies that refuse it to a principal they do not exempt. */
  readonly deniedBy: readonly DenyName[];
  readonly needs?: 'report';
  readonly run: (ctx: DrillContext, principal: PrincipalId) => Promise<unknown>;
}

/** How a principal names the vault: the bucket's owner by its bare name, everyone else as `tenant:name`. */
const vaultFor = (ctx: DrillContext, principal: PrincipalId) =>
  principal === 'backupAdmin' ? ctx.deployment.vault.name : ctx.deployment.vault.address;

/**
 * The request `build` makes for the vault as the principal names it, sent with the principal's client. The
 * commands differ in type; what comes back is judged as an outcome (run-drill.ts), so it is `unknown` here.
 */
const send = <C>(ctx: DrillContext, principal: PrincipalId, build: (bucket: string) => C): Promise<unknown> =>
  ctx.clients[principal].send(build(vaultFor(ctx, principal)) as never);

const report = (ctx: DrillContext): DrillTarget => {
  if (!ctx.targets.report) throw new Error('this attempt needs a filed report in the vault');
  return ctx.targets.report;
};

/** A key no one has written: under `prefix`, named by this run, the principal and the action. */
const newKey = (ctx: DrillContext, prefix: string, principal: PrincipalId, what: string) =>
  `${prefix}drill-${ctx.runId}-${principal}-${what}`;

/** A vault write as Strongroom makes them (bucket-owner-full-control, Content-MD5), no lock headers. */
const put = (bucket: string, key: string, body: string) =>
  new PutObjectCommand({
    Bucket: bucket,
    Key: key,
    Body: body,
    ContentMD5: createHash('md5').update(body).digest('base64'),
    ACL: 'bucket-owner-full-control',
  });

/** A vault write; its result names the key, so the drill can find the version it added in the inventory. */
const write = async (ctx: DrillContext, principal: PrincipalId, key: string, body: string) => ({
  ...((await send(ctx, principal, (Bucket) => put(Bucket, key, body))) as object),
  Key: key,
});

const FORGED = 'encrypted by ransomware';
const oneMinute = () => new Date(Date.now() + 60_000);
const tenYears = () => new Date(Date.now() + 10 * 365 * 86_400_000);

/** A refusal as the SDK reports one, for requests that answer 200 with per-key errors (DeleteObjects). */
class BatchRefused extends Error {
  override name: string;
  readonly $metadata: { httpStatusCode: number };
  constructor(code: string, status: number) {
    super(code);
    this.name = code;
    this.$metadata = { httpStatusCode: status };
  }
}

/**
 * DeleteObjects of the context's object and journal versions. A batch succeeds as a whole and fails key by key,
 * so: anything deleted is a success (the attack worked); every key refused with one code is that refusal.
 */
async function deleteBatch(ctx: DrillContext, principal: PrincipalId, bypass: boolean): Promise<unknown> {
  const objects = [ctx.targets.object, ctx.targets.journal].map((t) => ({ Key: t.key, VersionId: t.versionId }));
  const out = await send(
    ctx,
    principal,
    (Bucket) =>
      new DeleteObjectsCommand({
        Bucket,
        Delete: { Objects: objects },
        ...(bypass ? { BypassGovernanceRetention: true } : {}),
      }),
  );
  const result = out as { Deleted?: unknown[]; Errors?: { Code?: string }[] };
  if ((result.Deleted ?? []).length > 0) return result;
  const codes = new Set((result.Errors ?? []).map((e) => e.Code ?? 'UnknownError'));
  if (codes.size === 1 && (result.Errors ?? []).length === objects.length) {
    const [code] = codes as Set<string>;
    throw new BatchRefused(code, code === 'AccessDenied' ? 403 : 400);
  }
  throw new BatchRefused(`MixedErrors:${[...codes].join(',')}`, 400);
}

const deleteVersion = (target: (ctx: DrillContext) => DrillTarget, bypass: boolean) => (ctx: DrillContext, p: PrincipalId) =>
  send(ctx, p, (Bucket) => {
    const t = target(ctx);
    return new DeleteObjectCommand({
      Bucket,
      Key: t.key,
      VersionId: t.versionId,
      ...(bypass ? { BypassGovernanceRetention: true } : {}),
    });
  });

const retention = (Mode: 'COMPLIANCE' | 'GOVERNANCE', until: () => Date) => (ctx: DrillContext, p: PrincipalId) =>
  send(
    ctx,
    p,
    (Bucket) =>
      new PutObjectRetentionCommand({
        Bucket,
        Key: ctx.targets.object.key,
        VersionId: ctx.targets.object.versionId,
        Retention: { Mode, RetainUntilDate: until() },
      }),
  );

const prefixes = (ctx: DrillContext) => ctx.deployment.primary.vaultPrefixes;

/** A server-side copy of the journal target (a readable segment, for those who may read it) onto `key`. */
const copyJournalSegment = (ctx: DrillContext, p: PrincipalId, key: string) =>
  send(
    ctx,
    p,
    (Bucket) =>
      new CopyObjectCommand({
        Bucket,
        Key: key,
        CopySource: `${Bucket}/${ctx.targets.journal.key}?versionId=${ctx.targets.journal.versionId}`,
      }),
  );

/** CreateMultipartUpload of a new key under the account's `area`: authorized as s3:PutObject. */
const startUpload = (ctx: DrillContext, p: PrincipalId, area: 'objects' | 'journal') =>
  send(ctx, p, (Bucket) => new CreateMultipartUploadCommand({ Bucket, Key: newKey(ctx, prefixes(ctx)[area], p, 'mpu') }));

const assume = (kind: VaultRoleKind) => async (ctx: DrillContext) => {
  const session = await assumeVaultRole(ctx.deployment, kind, {
    caller: ctx.deployment.primary.admin,
    sessionName: 'drill-intruder',
  });
  session.s3.destroy();
  return session.roleArn;
};

const openPolicy = (ctx: DrillContext) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: ctx.deployment.primary.admin.userArn },
        Action: 's3:*',
        Resource: [`arn:aws:s3:::${ctx.deployment.vault.name}`, `arn:aws:s3:::${ctx.deployment.vault.name}/*`],
      },
    ],
  });

const RECONFIGURATION: readonly DenyName[] = ['DenyBucketReconfigurationExceptBreakGlass'];
const DESTRUCTION: readonly DenyName[] = ['DenyObjectDestructionExceptBreakGlass'];
const TAGGING: readonly DenyName[] = ['DenyObjectTaggingExceptBreakGlass'];
const BACKUP_WRITES: readonly DenyName[] = ['DenyBackupWritesExceptIngest', 'DenyOverwritesExceptBreakGlass'];

const DEFS = {
  'delete-object-version': {
    attempt: 'delete a backed-up version',
    category: 'delete version',
    deniedBy: DESTRUCTION,
    run: deleteVersion((ctx) => ctx.targets.object, false),
  },
  'delete-object-version-bypass': {
    attempt: 'delete a backed-up version, bypassing governance',
    category: 'delete version',
    deniedBy: DESTRUCTION,
    run: deleteVersion((ctx) => ctx.targets.object, true),
  },
  'delete-journal-version': {
    attempt: 'delete a journal segment',
    category: 'delete version',
    deniedBy: DESTRUCTION,
    run: deleteVersion((ctx) => ctx.targets.journal, false),
  },
  'delete-journal-version-bypass': {
    attempt: 'delete a journal segment, bypassing governance',
    category: 'delete version',
    deniedBy: DESTRUCTION,
    run: deleteVersion((ctx) => ctx.targets.journal, true),
  },
  'delete-report-version': {
    attempt: 'delete a filed verify report',
    category: 'delete version',
    deniedBy: DESTRUCTION,
    needs: 'report',
    run: deleteVersion(report, false),
  },
  'delete-batch': {
    attempt: 'batch-delete a version and a journal segment',
    category: 'delete version',
    deniedBy: DESTRUCTION,
    run: (ctx, p) => deleteBatch(ctx, p, false),
  },
  'delete-batch-bypass': {
    attempt: 'batch-delete them, bypassing governance',
    category: 'delete version',
    deniedBy: DESTRUCTION,
    run: (ctx, p) => deleteBatch(ctx, p, true),
  },
  'delete-marker-object': {
    attempt: 'hide a backed-up object behind a delete marker',
    category: 'delete marker',
    deniedBy: DESTRUCTION,
    run: (ctx, p) => send(ctx, p, (Bucket) => new DeleteObjectCommand({ Bucket, Key: ctx.targets.object.key })),
  },
  'delete-marker-journal': {
    attempt: 'hide a journal segment behind a delete marker',
    category: 'delete marker',
    deniedBy: DESTRUCTION,
    run: (ctx, p) => send(ctx, p, (Bucket) => new DeleteObjectCommand({ Bucket, Key: ctx.targets.journal.key })),
  },
  'shorten-retention': {
    attempt: "shorten a version's retention to one minute",
    category: 'retention',
    deniedBy: DESTRUCTION,
    run: retention('COMPLIANCE', oneMinute),
  },
  'switch-to-governance': {
    attempt: "switch a version's lock to GOVERNANCE",
    category: 'retention',
    deniedBy: DESTRUCTION,
    run: retention('GOVERNANCE', oneMinute),
  },
  'extend-retention': {
    attempt: "extend a version's retention by ten years (a cost attack)",
    category: 'retention',
    deniedBy: DESTRUCTION,
    run: retention('COMPLIANCE', tenYears),
  },
  'legal-hold': {
    attempt: 'put a legal hold on a version',
    category: 'legal hold',
    deniedBy: DESTRUCTION,
    run: (ctx, p) =>
      send(
        ctx,
        p,
        (Bucket) =>
          new PutObjectLegalHoldCommand({
            Bucket,
            Key: ctx.targets.object.key,
            VersionId: ctx.targets.object.versionId,
            LegalHold: { Status: 'ON' },
          }),
      ),
  },
  'overwrite-object': {
    attempt: 'overwrite a backed-up object with garbage',
    category: 'overwrite',
    deniedBy: BACKUP_WRITES,
    run: (ctx, p) => write(ctx, p, ctx.targets.object.key, FORGED),
  },
  'overwrite-journal': {
    attempt: 'overwrite a journal segment with a forged one',
    category: 'overwrite',
    deniedBy: BACKUP_WRITES,
    run: (ctx, p) => write(ctx, p, ctx.targets.journal.key, '{"forged":true}\n'),
  },
  'overwrite-report': {
    attempt: 'overwrite a filed report with "all is well"',
    category: 'overwrite',
    deniedBy: ['DenyReportWritesExceptEvidenceWriter', 'DenyOverwritesExceptBreakGlass'],
    needs: 'report',
    run: (ctx, p) => write(ctx, p, report(ctx).key, '{"result":"pass"}'),
  },
  'copy-over-object': {
    attempt: 'server-side copy a journal segment over a backed-up key',
    category: 'copy over',
    deniedBy: ['DenyBackupWritesExceptIngest'],
    run: (ctx, p) => copyJournalSegment(ctx, p, ctx.targets.object.key),
  },
  'write-new-object': {
    attempt: "write a new object under the account's objects/",
    category: 'forge',
    deniedBy: ['DenyBackupWritesExceptIngest'],
    run: (ctx, p) => write(ctx, p, newKey(ctx, prefixes(ctx).objects, p, 'object'), FORGED),
  },
  'write-new-journal': {
    attempt: 'write a forged journal segment dated last week',
    category: 'forge',
    deniedBy: ['DenyBackupWritesExceptIngest'],
    run: (ctx, p) => write(ctx, p, newKey(ctx, `${prefixes(ctx).journal}2020/01/01/`, p, 'segment.ndjson'), '{"forged":true}\n'),
  },
  'write-new-report': {
    attempt: "file a report under the account's reports/",
    category: 'forge',
    deniedBy: ['DenyReportWritesExceptEvidenceWriter'],
    run: (ctx, p) => write(ctx, p, newKey(ctx, prefixes(ctx).reports, p, 'report.json'), '{"result":"pass"}'),
  },
  'write-bucket-root': {
    attempt: 'write at the root of the vault',
    category: 'forge',
    deniedBy: ['DenyWritesOutsideAccountPrefixesExceptBreakGlass'],
    run: (ctx, p) => write(ctx, p, newKey(ctx, '', p, 'root'), FORGED),
  },
  'write-other-account': {
    attempt: 'write under an account that is not configured',
    category: 'forge',
    deniedBy: ['DenyWritesOutsideAccountPrefixesExceptBreakGlass'],
    run: (ctx, p) => write(ctx, p, newKey(ctx, 'objects/999999999999/', p, 'object'), FORGED),
  },
  'write-reports-top': {
    attempt: 'write a report outside any account (reports/…)',
    category: 'forge',
    deniedBy: ['DenyWritesOutsideAccountPrefixesExceptBreakGlass'],
    run: (ctx, p) => write(ctx, p, newKey(ctx, 'reports/', p, 'report.json'), '{"result":"pass"}'),
  },
  'multipart-upload': {
    attempt: "start a multipart upload under the account's objects/",
    category: 'forge',
    deniedBy: ['DenyBackupWritesExceptIngest'],
    run: (ctx, p) => startUpload(ctx, p, 'objects'),
  },
  'multipart-upload-journal': {
    attempt: "start a multipart upload under the account's journal/",
    category: 'forge',
    deniedBy: ['DenyBackupWritesExceptIngest'],
    run: (ctx, p) => startUpload(ctx, p, 'journal'),
  },
  'copy-into-reports': {
    attempt: "server-side copy a journal segment into the account's reports/",
    category: 'copy over',
    deniedBy: ['DenyReportWritesExceptEvidenceWriter'],
    run: (ctx, p) => copyJournalSegment(ctx, p, newKey(ctx, prefixes(ctx).reports, p, 'copied.json')),
  },
  'tag-object': {
    attempt: 'tag a backed-up object (expire=now)',
    category: 'tagging',
    deniedBy: TAGGING,
    run: (ctx, p) =>
      send(
        ctx,
        p,
        (Bucket) =>
          new PutObjectTaggingCommand({
            Bucket,
            Key: ctx.targets.object.key,
            VersionId: ctx.targets.object.versionId,
            Tagging: { TagSet: [{ Key: 'expire', Value: 'now' }] },
          }),
      ),
  },
  'untag-object': {
    attempt: "delete a backed-up object's tags",
    category: 'tagging',
    deniedBy: TAGGING,
    run: (ctx, p) => send(ctx, p, (Bucket) => new DeleteObjectTaggingCommand({ Bucket, Key: ctx.targets.object.key })),
  },
  'object-acl': {
    attempt: 'make a backed-up object public-read (object ACL)',
    category: 'acl',
    deniedBy: DESTRUCTION,
    run: (ctx, p) =>
      send(ctx, p, (Bucket) => new PutObjectAclCommand({ Bucket, Key: ctx.targets.object.key, ACL: 'public-read' })),
  },
  'bucket-acl': {
    attempt: 'make the vault public-read (bucket ACL)',
    category: 'acl',
    deniedBy: RECONFIGURATION,
    run: (ctx, p) => send(ctx, p, (Bucket) => new PutBucketAclCommand({ Bucket, ACL: 'public-read' })),
  },
  'replace-policy': {
    attempt: "replace the vault's bucket policy (s3:* for the intruder)",
    category: 'bucket policy',
    deniedBy: ['DenyPolicyChangesExceptBreakGlassAndDeployer'],
    run: (ctx, p) => send(ctx, p, (Bucket) => new PutBucketPolicyCommand({ Bucket, Policy: openPolicy(ctx) })),
  },
  'delete-policy': {
    attempt: "delete the vault's bucket policy",
    category: 'bucket policy',
    deniedBy: RECONFIGURATION,
    run: (ctx, p) => send(ctx, p, (Bucket) => new DeleteBucketPolicyCommand({ Bucket })),
  },
  lifecycle: {
    attempt: 'add a lifecycle rule expiring every version after a day',
    category: 'bucket config',
    deniedBy: RECONFIGURATION,
    run: (ctx, p) =>
      send(
        ctx,
        p,
        (Bucket) =>
          new PutBucketLifecycleConfigurationCommand({
            Bucket,
            LifecycleConfiguration: {
              Rules: [
                {
                  ID: 'drill-expire-everything',
                  Status: 'Enabled',
                  Filter: { Prefix: '' },
                  Expiration: { Days: 1 },
                  NoncurrentVersionExpiration: { NoncurrentDays: 1 },
                },
              ],
            },
          }),
      ),
  },
  'suspend-versioning': {
    attempt: 'suspend versioning',
    category: 'bucket config',
    deniedBy: RECONFIGURATION,
    run: (ctx, p) =>
      send(ctx, p, (Bucket) => new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Suspended' } })),
  },
  'weaken-default-lock': {
    attempt: 'set the default lock to GOVERNANCE for 1 day',
    category: 'bucket config',
    deniedBy: RECONFIGURATION,
    run: (ctx, p) =>
      send(
        ctx,
        p,
        (Bucket) =>
          new PutObjectLockConfigurationCommand({
            Bucket,
            ObjectLockConfiguration: {
              ObjectLockEnabled: 'Enabled',
              Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1 } },
            },
          }),
      ),
  },
  cors: {
    attempt: 'open the vault to any origin (CORS)',
    category: 'bucket config',
    deniedBy: RECONFIGURATION,
    run: (ctx, p) =>
      send(
        ctx,
        p,
        (Bucket) =>
          new PutBucketCorsCommand({
            Bucket,
            CORSConfiguration: { CORSRules: [{ AllowedMethods: ['GET'], AllowedOrigins: ['*'] }] },
          }),
      ),
  },
  'delete-cors': {
    attempt: "delete the vault's CORS settings",
    category: 'bucket config',
    deniedBy: RECONFIGURATION,
    run: (ctx, p) => send(ctx, p, (Bucket) => new DeleteBucketCorsCommand({ Bucket })),
  },
  replication: {
    attempt: 'replicate the vault to a bucket of its own',
    category: 'replication',
    deniedBy: RECONFIGURATION,
    run: (ctx, p) =>
      send(
        ctx,
        p,
        (Bucket) =>
          new PutBucketReplicationCommand({
            Bucket,
            ReplicationConfiguration: {
              Role: `arn:aws:iam::${ctx.deployment.backup.tenant}:role/drill-replicator`,
              Rules: [
                {
                  ID: 'drill-exfiltrate',
                  Status: 'Enabled',
                  Prefix: '',
                  Destination: { Bucket: 'arn:aws:s3:::drill-elsewhere' },
                },
              ],
            },
          }),
      ),
  },
  'delete-bucket': {
    attempt: 'delete the vault bucket',
    category: 'bucket deletion',
    deniedBy: RECONFIGURATION,
    run: (ctx, p) => send(ctx, p, (Bucket) => new DeleteBucketCommand({ Bucket })),
  },
  'read-object': {
    attempt: 'read a backed-up version',
    category: 'read',
    deniedBy: ['DenyDataReadsExceptRestoreReaders'],
    run: (ctx, p) => readBody(ctx, p, ctx.targets.object),
  },
  'read-journal': {
    attempt: 'read a journal segment',
    category: 'read',
    deniedBy: [],
    run: (ctx, p) => readBody(ctx, p, ctx.targets.journal),
  },
  'read-report': {
    attempt: 'read a filed report',
    category: 'read',
    deniedBy: [],
    needs: 'report',
    run: (ctx, p) => readBody(ctx, p, report(ctx)),
  },
  'list-vault': {
    attempt: 'list the whole vault',
    category: 'list',
    deniedBy: [],
    run: (ctx, p) => send(ctx, p, (Bucket) => new ListObjectsV2Command({ Bucket, MaxKeys: 10 })),
  },
  'list-account-objects': {
    attempt: "list the versions under the account's objects/",
    category: 'list',
    deniedBy: [],
    run: (ctx, p) =>
      send(ctx, p, (Bucket) => new ListObjectVersionsCommand({ Bucket, Prefix: prefixes(ctx).objects, MaxKeys: 10 })),
  },
  'list-account-reports': {
    attempt: "list the account's reports/",
    category: 'list',
    deniedBy: [],
    run: (ctx, p) => send(ctx, p, (Bucket) => new ListObjectsV2Command({ Bucket, Prefix: prefixes(ctx).reports, MaxKeys: 10 })),
  },
  'read-bucket-policy': {
    attempt: "read the vault's bucket policy",
    category: 'read',
    deniedBy: [],
    run: (ctx, p) => send(ctx, p, (Bucket) => new GetBucketPolicyCommand({ Bucket })),
  },
  'assume-ingest': {
    attempt: 'assume the ingest role itself (not as the copier)',
    category: 'assume role',
    deniedBy: [],
    run: assume('ingest'),
  },
  'assume-restore-reader': {
    attempt: 'assume the restore-reader role',
    category: 'assume role',
    deniedBy: [],
    run: assume('restoreReader'),
  },
  'assume-auditor': {
    attempt: 'assume the auditor role',
    category: 'assume role',
    deniedBy: [],
    run: assume('auditor'),
  },
  'assume-evidence-writer': {
    attempt: 'assume the evidence-writer role',
    category: 'assume role',
    deniedBy: [],
    run: assume('evidenceWriter'),
  },
} satisfies Record<string, ActionDef>;

export type ActionId = keyof typeof DEFS;

/** Every action the drill knows, by id. */
export const ACTIONS: Readonly<Record<ActionId, ActionDef>> = DEFS;

/** Reads a version whole (the bytes are dropped: the drill never logs object contents). */
async function readBody(ctx: DrillContext, p: PrincipalId, target: DrillTarget): Promise<number> {
  const out = await send(ctx, p, (Bucket) => new GetObjectCommand({ Bucket, Key: target.key, VersionId: target.versionId }));
  const bytes = await (out as { Body?: { transformToByteArray(): Promise<Uint8Array> } }).Body?.transformToByteArray();
  return bytes?.length ?? 0;
}
