import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../lib/config/load';
import { policy } from '../../lib/policy/document';
import { vaultPolicyModel } from '../../lib/policy/model';
import {
  BUCKET_EXPOSURE_ACTIONS,
  BUCKET_RECONFIGURATION_ACTIONS,
  OBJECT_TAGGING_ACTIONS,
  REPLICATION_WRITE_ACTIONS,
  vaultBucketPolicy,
  vaultLogBucketPolicyStatements,
} from '../../lib/policy/vault-bucket';
import { vaultRolePermissions } from '../../lib/policy/vault-roles';
import {
  type Actor,
  actors,
  BACKUP_ACCOUNT,
  cases,
  model,
  OTHER_PRIMARY_ACCOUNT,
  PRIMARY_ACCOUNT,
  prove,
  roleSession,
  type Scenario,
  simulate,
  vaultBucketArn,
  vaultObject,
  withoutStatement,
} from './simulate';

/*
 * Who may create objects in the vault, and where (the vault bucket's policy alone, as in
 * vault-bucket.test.ts): under objects/<account>/ and journal/<account>/ only that account's ingest
 * role, under reports/<account>/ only its evidence writer (a reserved name: no role exists yet),
 * anywhere else nobody; break-glass everywhere. Then tagging, ACLs, replication and the bucket
 * settings that expose the vault, which only break-glass may change.
 *
 * Every object-creating request is authorized as s3:PutObject on the object being created:
 * PutObject and POST uploads, CreateMultipartUpload, UploadPart, CompleteMultipartUpload, and the
 * destination of CopyObject and UploadPartCopy (whose source needs s3:GetObject as well). The rows
 * tell them apart by the keys S3 sets for each: s3:ObjectCreationOperation (true for the requests
 * that create a version) and s3:x-amz-copy-source.
 */

const bucketPolicy = vaultBucketPolicy(model);
const P = PRIMARY_ACCOUNT;
const O = OTHER_PRIMARY_ACCOUNT;

const BACKUP_WRITES = (account: string) => `resource:DenyBackupWritesExceptIngest${account}`;
const REPORT_WRITES = (account: string) => `resource:DenyReportWritesExceptEvidenceWriter${account}`;
const OUTSIDE = 'resource:DenyWritesOutsideAccountPrefixesExceptBreakGlass';
const REPLICATION = 'resource:DenyReplicationWritesExceptBreakGlass';
const TAGGING = 'resource:DenyObjectTaggingExceptBreakGlass';
const DESTROY = 'resource:DenyObjectDestructionExceptBreakGlass';
const RECONFIGURE = 'resource:DenyBucketReconfigurationExceptBreakGlass';

/** Where a forger would write, and which deny should stop them there. */
const places = {
  ownObjects: { key: `objects/${P}/acme-prod-invoices/forged`, deny: BACKUP_WRITES(P) },
  ownJournal: { key: `journal/${P}/2026-01-15/segment-999999.ndjson`, deny: BACKUP_WRITES(P) },
  ownReports: { key: `reports/${P}/2026-01-15/verify.json`, deny: REPORT_WRITES(P) },
  neighbourObjects: { key: `objects/${O}/acme-staging-data/forged`, deny: BACKUP_WRITES(O) },
  neighbourJournal: { key: `journal/${O}/2026-01-15/segment-999999.ndjson`, deny: BACKUP_WRITES(O) },
  neighbourReports: { key: `reports/${O}/2026-01-15/verify.json`, deny: REPORT_WRITES(O) },
  // elsewhere: what the backup admin wrote when this was found, and the edges of the prefixes
  reportsTop: { key: 'reports/forged.json', deny: OUTSIDE },
  bucketRoot: { key: 'forged.json', deny: OUTSIDE },
  unconfiguredAccount: { key: 'objects/999999999999/x', deny: OUTSIDE },
  accountIdPrefix: { key: `objects/${P}1/x`, deny: OUTSIDE },
  noSlash: { key: `journal/${P}`, deny: OUTSIDE },
  otherArea: { key: `snapshots/${P}/x`, deny: OUTSIDE },
} as const;
type Place = keyof typeof places;
const everywhere = Object.keys(places) as Place[];

/** The context S3 sets for each way of creating an object, as far as a policy can tell them apart. */
const writeKinds = {
  'PutObject / CompleteMultipartUpload': { 's3:ObjectCreationOperation': 'true', 's3:if-none-match': '*' },
  'CreateMultipartUpload / UploadPart': { 's3:ObjectCreationOperation': 'false' },
  'CopyObject destination': {
    's3:ObjectCreationOperation': 'true',
    's3:if-none-match': '*',
    's3:x-amz-copy-source': `${model.vaultBucket}/objects/${P}/acme-prod-invoices/invoice-0001.pdf`,
  },
  'UploadPartCopy destination': {
    's3:ObjectCreationOperation': 'false',
    's3:x-amz-copy-source': `${model.vaultBucket}/objects/${P}/acme-prod-invoices/invoice-0001.pdf`,
  },
} as const;
/** A well-formed vault write (If-None-Match: *, no lock headers): only the create denies can refuse it. */
const WELL_FORMED = writeKinds['PutObject / CompleteMultipartUpload'];

/**
 * The evidence writer twice: as the stack creates it (its own identity policy: PutObject under its reports
 * prefix), and widened, with an identity policy allowing s3:PutObject on the whole bucket (an administrator
 * edited it): what it may do is then up to the bucket policy alone.
 */
const evidenceWriter = roleSession(
  'evidence-writer(222)',
  BACKUP_ACCOUNT,
  model.roleNames.evidenceWriter(P),
  [{ name: 'strongroom', policy: vaultRolePermissions(model, 'evidenceWriter', P) }],
  'strongroom-verify',
);
const widenedEvidenceWriter = roleSession(
  'widened evidence-writer(222)',
  BACKUP_ACCOUNT,
  model.roleNames.evidenceWriter(P),
  [
    {
      name: 'EvidenceWriterWidened',
      policy: policy({ Sid: 'EvidenceWriterWidened', Effect: 'Allow', Action: 's3:PutObject', Resource: `${vaultBucketArn}/*` }),
    },
  ],
  'strongroom-verify',
);

/** Callers whose identity policy allows s3:PutObject on every vault key (the vault roles' stop at their prefixes). */
const grantsEveryWrite = new Set<Actor>([actors.backupAdmin, actors.backupAdminUser, widenedEvidenceWriter]);

const refused = (principal: Actor, place: Place, context: Record<string, string> = WELL_FORMED): Scenario => ({
  principal,
  action: 's3:PutObject',
  resource: vaultObject(places[place].key),
  context,
  expected: 'ExplicitlyDenied',
  reason: places[place].deny,
  // Where the caller's own identity policy grants the write, the bucket policy alone refuses it.
  ...(grantsEveryWrite.has(principal) ? { blockedBy: ['resource' as const] } : {}),
});
const allowed = (principal: Actor, place: Place, reason: string | string[]): Scenario => ({
  principal,
  action: 's3:PutObject',
  resource: vaultObject(places[place].key),
  context: WELL_FORMED,
  expected: 'Allowed',
  reason,
});

describe('object creation: the backup account admin forges nothing, by any write API, anywhere', () => {
  const rows = [actors.backupAdmin, actors.backupAdminUser].flatMap((who) =>
    Object.entries(writeKinds).flatMap(([kind, context]) =>
      everywhere.map((place) => ({ ...refused(who, place, context), note: kind })),
    ),
  );
  it.each(cases(rows))('%s', async (_title, row) => prove(row, { resourcePolicy: bucketPolicy }));
});

describe('object creation: no other vault role and no primary-account principal writes under any prefix', () => {
  const rows: Scenario[] = [
    // Same account, but the wrong role: explicit denies, not just the absence of a grant.
    ...[actors.restoreReader, actors.auditor].flatMap((who) => everywhere.map((place) => refused(who, place))),
    // The neighbour's ingest role may write its own prefixes only.
    ...(['ownObjects', 'ownJournal', 'ownReports', 'neighbourReports', 'reportsTop', 'unconfiguredAccount'] as const).map(
      (place) => refused(actors.otherIngest, place),
    ),
    // Cross-account callers: the bucket policy grants them nothing, and now denies them outright.
    ...[actors.primaryAdmin, actors.primaryRoot].flatMap((who) =>
      (['ownObjects', 'ownJournal', 'ownReports', 'reportsTop', 'bucketRoot'] as const).map((place) => refused(who, place)),
    ),
  ];
  it.each(cases(rows))('%s', async (_title, row) => prove(row, { resourcePolicy: bucketPolicy }));
});

describe("object creation: each account's ingest role appends under its own two prefixes only", () => {
  const ingestGrant = (actor: Actor, account: string) =>
    actor === actors.ingest || actor === actors.otherIngest
      ? [`identity:IngestAppendOnly${account}`, `resource:IngestAppendOnly${account}`]
      : [];
  const rows: Scenario[] = [
    allowed(actors.ingest, 'ownObjects', ingestGrant(actors.ingest, P)),
    allowed(actors.ingest, 'ownJournal', ingestGrant(actors.ingest, P)),
    ...Object.entries(writeKinds).map(
      ([kind, context]): Scenario => ({
        ...allowed(actors.ingest, 'ownObjects', ingestGrant(actors.ingest, P)),
        context,
        note: kind,
      }),
    ),
    allowed(actors.otherIngest, 'neighbourObjects', ingestGrant(actors.otherIngest, O)),
    allowed(actors.otherIngest, 'neighbourJournal', ingestGrant(actors.otherIngest, O)),
    ...(['ownReports', 'neighbourObjects', 'neighbourJournal', 'neighbourReports'] as const).map((place) =>
      refused(actors.ingest, place),
    ),
    ...(['reportsTop', 'bucketRoot', 'unconfiguredAccount', 'accountIdPrefix', 'noSlash', 'otherArea'] as const).map((place) =>
      refused(actors.ingest, place),
    ),
  ];
  it.each(cases(rows))('%s', async (_title, row) => prove(row, { resourcePolicy: bucketPolicy }));
});

/** Why the evidence writer, as created, may not read, list, delete or re-lock: no grant, or a bucket-policy deny. */
const EVIDENCE_WRITER_REFUSALS: Record<string, string | string[]> = {
  's3:GetObject': ['implicit:identity', 'implicit:resource'],
  's3:ListBucket': ['implicit:identity', 'implicit:resource'],
  's3:DeleteObject': 'resource:DenyObjectDestructionExceptBreakGlass',
  's3:PutObjectRetention': 'resource:DenyObjectDestructionExceptBreakGlass',
};

describe("object creation: the evidence writer files its own account's reports only, even when widened", () => {
  const elsewhere = ['ownObjects', 'ownJournal', 'neighbourReports', 'neighbourObjects', 'reportsTop', 'bucketRoot'] as const;
  const rows: Scenario[] = [
    allowed(evidenceWriter, 'ownReports', [
      'identity:EvidenceWriterFilesReports222222222222',
      'resource:EvidenceWriterFilesReports222222222222',
    ]),
    allowed(widenedEvidenceWriter, 'ownReports', [
      'identity:EvidenceWriterWidened',
      'resource:EvidenceWriterFilesReports222222222222',
    ]),
    ...elsewhere.map((place) => refused(widenedEvidenceWriter, place)),
    ...[evidenceWriter, widenedEvidenceWriter].map(
      (principal): Scenario => ({
        // The write-once deny holds for it as for every writer: a filed report is never replaced.
        principal,
        action: 's3:PutObject',
        resource: vaultObject(places.ownReports.key),
        context: { 's3:ObjectCreationOperation': 'true' },
        expected: 'ExplicitlyDenied',
        reason: 'resource:DenyOverwritesExceptBreakGlass',
        blockedBy: ['resource' as const],
        note: 'without If-None-Match',
      }),
    ),
    // As created, it reads, lists and deletes nothing: no identity grant for any of it.
    ...(['s3:GetObject', 's3:ListBucket', 's3:DeleteObject', 's3:PutObjectRetention'] as const).map(
      (action): Scenario => ({
        principal: evidenceWriter,
        action,
        resource: action === 's3:ListBucket' ? vaultBucketArn : vaultObject(places.ownReports.key),
        context: {},
        expected: action === 's3:GetObject' || action === 's3:ListBucket' ? 'ImplicitlyDenied' : 'ExplicitlyDenied',
        reason: EVIDENCE_WRITER_REFUSALS[action],
      }),
    ),
  ];
  it.each(cases(rows))('%s', async (_title, row) => prove(row, { resourcePolicy: bucketPolicy }));

  it('is exempt from nothing but the report-write deny, and granted nothing but its report writes', () => {
    const name = model.roleNames.evidenceWriter(P);
    expect(name).toBe(`strongroom-evidence-writer-${P}`);
    const naming = bucketPolicy.Statement.filter((s) => JSON.stringify(s).includes(name));
    expect(naming.map((s) => s.Sid)).toEqual([`EvidenceWriterFilesReports${P}`, `DenyReportWritesExceptEvidenceWriter${P}`]);
  });
});

describe('object creation: break-glass is exempt everywhere', () => {
  const rows: Scenario[] = everywhere.map((place) => allowed(actors.breakGlass, place, 'identity:AdministratorAccess'));
  it.each(cases(rows))('%s', async (_title, row) => prove(row, { resourcePolicy: bucketPolicy }));
});

describe('tagging, ACLs, replication and exposing settings: break-glass only', () => {
  const object = vaultObject(places.ownObjects.key);
  const EXPOSING = BUCKET_EXPOSURE_ACTIONS;
  const adminRows = (who: Actor): Scenario[] => [
    ...OBJECT_TAGGING_ACTIONS.map(
      (action): Scenario => ({
        principal: who,
        action,
        resource: object,
        expected: 'ExplicitlyDenied',
        reason: TAGGING,
        blockedBy: ['resource'],
      }),
    ),
    ...['s3:PutObjectAcl', 's3:PutObjectVersionAcl'].map(
      (action): Scenario => ({
        principal: who,
        action,
        resource: object,
        expected: 'ExplicitlyDenied',
        reason: DESTROY,
        blockedBy: ['resource'],
      }),
    ),
    ...REPLICATION_WRITE_ACTIONS.map(
      (action): Scenario => ({
        principal: who,
        action,
        resource: object,
        expected: 'ExplicitlyDenied',
        reason: REPLICATION,
        blockedBy: ['resource'],
        note: 'a replication rule of a bucket the admin owns, writing into the vault',
      }),
    ),
    ...EXPOSING.map(
      (action): Scenario => ({
        principal: who,
        action,
        resource: vaultBucketArn,
        expected: 'ExplicitlyDenied',
        reason: RECONFIGURE,
        blockedBy: ['resource'],
      }),
    ),
  ];
  const rows: Scenario[] = [
    ...adminRows(actors.backupAdmin),
    ...adminRows(actors.backupAdminUser),
    // The deploy role replaces the policy, and changes none of these.
    ...adminRows(actors.deployRole).filter((row) => row.action === 's3:PutBucketCORS' || row.action === 's3:PutObjectTagging'),
    // S3 authorizes a PutObject carrying x-amz-tagging with s3:PutObjectTagging too: the ingest role
    // may write its prefixes, never with tags.
    {
      principal: actors.ingest,
      action: 's3:PutObjectTagging',
      resource: object,
      expected: 'ExplicitlyDenied',
      reason: TAGGING,
      note: 'what a tagged PutObject needs besides s3:PutObject',
    },
    {
      principal: actors.primaryAdmin,
      action: 's3:PutObjectTagging',
      resource: object,
      expected: 'ExplicitlyDenied',
      reason: TAGGING,
    },
    {
      principal: actors.primaryAdmin,
      action: 's3:PutBucketCORS',
      resource: vaultBucketArn,
      expected: 'ExplicitlyDenied',
      reason: RECONFIGURE,
    },
    ...[...OBJECT_TAGGING_ACTIONS, 's3:PutObjectAcl', ...REPLICATION_WRITE_ACTIONS].map(
      (action): Scenario => ({
        principal: actors.breakGlass,
        action,
        resource: object,
        expected: 'Allowed',
        reason: 'identity:AdministratorAccess',
      }),
    ),
    ...EXPOSING.map(
      (action): Scenario => ({
        principal: actors.breakGlass,
        action,
        resource: vaultBucketArn,
        expected: 'Allowed',
        reason: 'identity:AdministratorAccess',
      }),
    ),
  ];
  it.each(cases(rows))('%s', async (_title, row) => prove(row, { resourcePolicy: bucketPolicy }));

  it('the exposing settings are part of the reconfiguration deny, of the vault and of its log bucket', () => {
    expect(BUCKET_RECONFIGURATION_ACTIONS).toEqual(expect.arrayContaining(EXPOSING));
    const logDeny = vaultLogBucketPolicyStatements(model).find((s) => s.Sid === 'DenyLogBucketReconfigurationExceptBreakGlass');
    expect(logDeny?.Action).toEqual(expect.arrayContaining(EXPOSING));
  });

  it('the access-log bucket refuses them to the backup admin too', async () => {
    const logBucket = `arn:aws:s3:::${model.vaultLogBucket}`;
    await prove(
      {
        principal: actors.backupAdmin,
        action: 's3:PutInventoryConfiguration',
        resource: logBucket,
        expected: 'ExplicitlyDenied',
        reason: 'resource:DenyLogBucketReconfigurationExceptBreakGlass',
        blockedBy: ['resource'],
      },
      { resourcePolicy: policy(...vaultLogBucketPolicyStatements(model)) },
    );
  });
});

describe('guards: without each new deny, the backup admin gets through', () => {
  // Remove the statement and the same request is allowed: the rows above rest on it alone.
  const guards: { sid: string; action: string; resource: string; context?: Record<string, string> }[] = [
    { sid: `DenyBackupWritesExceptIngest${P}`, action: 's3:PutObject', resource: vaultObject(places.ownObjects.key) },
    { sid: `DenyBackupWritesExceptIngest${P}`, action: 's3:PutObject', resource: vaultObject(places.ownJournal.key) },
    { sid: `DenyReportWritesExceptEvidenceWriter${P}`, action: 's3:PutObject', resource: vaultObject(places.ownReports.key) },
    {
      sid: 'DenyWritesOutsideAccountPrefixesExceptBreakGlass',
      action: 's3:PutObject',
      resource: vaultObject('reports/forged.json'),
    },
    {
      sid: 'DenyWritesOutsideAccountPrefixesExceptBreakGlass',
      action: 's3:PutObject',
      resource: vaultObject('objects/999999999999/x'),
    },
    { sid: 'DenyReplicationWritesExceptBreakGlass', action: 's3:ReplicateObject', resource: vaultObject(places.ownObjects.key) },
    { sid: 'DenyReplicationWritesExceptBreakGlass', action: 's3:ReplicateDelete', resource: vaultObject(places.ownObjects.key) },
    { sid: 'DenyObjectTaggingExceptBreakGlass', action: 's3:PutObjectTagging', resource: vaultObject(places.ownObjects.key) },
    {
      sid: 'DenyObjectTaggingExceptBreakGlass',
      action: 's3:DeleteObjectVersionTagging',
      resource: vaultObject(places.ownJournal.key),
    },
    { sid: 'DenyBucketReconfigurationExceptBreakGlass', action: 's3:PutBucketCORS', resource: vaultBucketArn },
    { sid: 'DenyBucketReconfigurationExceptBreakGlass', action: 's3:PutInventoryConfiguration', resource: vaultBucketArn },
    { sid: 'DenyBucketReconfigurationExceptBreakGlass', action: 's3:PutBucketNotification', resource: vaultBucketArn },
  ];
  it.each(guards.map((g) => [g.sid, g.action, g.resource.slice(vaultBucketArn.length) || ' bucket', g] as const))(
    'without %s: %s on vault%s',
    async (_sid, _action, _where, g) => {
      const request = {
        actor: actors.backupAdmin,
        action: g.action,
        resource: g.resource,
        ...(g.action === 's3:PutObject' ? { context: { ...WELL_FORMED } } : {}),
      };
      expect(await simulate({ ...request, resourcePolicy: bucketPolicy })).toEqual({
        result: 'ExplicitlyDenied',
        because: [`resource:${g.sid}`],
        blockedBy: ['resource'],
      });
      expect(await simulate({ ...request, resourcePolicy: withoutStatement(bucketPolicy, g.sid) })).toEqual({
        result: 'Allowed',
        because: ['identity:AdministratorAccess'],
        blockedBy: [],
      });
    },
  );

  it('without DenyBackupWritesExceptIngest<account>, a restore reader whose policy was widened forges a backup', async () => {
    // The server cannot show this (on RGW a role session gets nothing its grants do not name): the
    // deny is what stops a vault role whose identity policy someone widened (the deploy role can).
    const widened: Actor = {
      ...actors.restoreReader,
      identityPolicies: [
        ...actors.restoreReader.identityPolicies,
        {
          name: 'Widened',
          policy: policy({ Sid: 'Widened', Effect: 'Allow', Action: 's3:PutObject', Resource: `${vaultBucketArn}/*` }),
        },
      ],
    };
    const request = {
      actor: widened,
      action: 's3:PutObject',
      resource: vaultObject(places.ownObjects.key),
      context: { ...WELL_FORMED },
    };
    expect(await simulate({ ...request, resourcePolicy: bucketPolicy })).toEqual({
      result: 'ExplicitlyDenied',
      because: [BACKUP_WRITES(P)],
      blockedBy: ['resource'],
    });
    expect(
      await simulate({ ...request, resourcePolicy: withoutStatement(bucketPolicy, `DenyBackupWritesExceptIngest${P}`) }),
    ).toEqual({ result: 'Allowed', because: ['identity:Widened'], blockedBy: [] });
  });

  it("without the neighbour's deny, its prefix is still closed to our ingest role: the grants confine it too", async () => {
    // The per-account deny is a second wall for the vault roles (their grants stop at their own prefixes);
    // for every principal whose identity policy grants more, it is the only one (the guards above).
    const request = { actor: actors.ingest, action: 's3:PutObject', resource: vaultObject(places.neighbourObjects.key) };
    const weakened = withoutStatement(bucketPolicy, `DenyBackupWritesExceptIngest${O}`);
    expect(await simulate({ ...request, context: { ...WELL_FORMED }, resourcePolicy: weakened })).toEqual({
      result: 'ImplicitlyDenied',
      because: ['implicit:identity', 'implicit:resource'],
      blockedBy: [],
    });
  });
});

describe('the vault policy stays within AWS limits', () => {
  /** AWS's limit on a bucket policy (characters of the minified JSON; the policy is ASCII). */
  const LIMIT = 20_480;
  const example = JSON.parse(readFileSync(join(__dirname, '../../config/strongroom.example.json'), 'utf8'));
  const base = parseConfig(example, 'example');
  // Past the config's own size check (which refuses more than fit), so the sizes themselves can be measured.
  const withAccounts = (n: number) =>
    vaultPolicyModel({
      ...base,
      primaryAccounts: Array.from({ length: n }, (_, i) => ({
        accountId: String(222222222222 + i * 1_000_001),
        name: `account${i}`,
        sources: [{ bucket: `acme-data-${i}` }],
        restoreTargets: [],
      })),
    });
  const size = (n: number) => JSON.stringify(vaultBucketPolicy(withAccounts(n))).length;

  it('fits for the example config and for the two accounts of these proofs', () => {
    expect(size(1)).toBeLessThan(LIMIT);
    expect(JSON.stringify(bucketPolicy).length).toBeLessThan(LIMIT);
  });

  it('fits for up to 3 primary accounts per vault; a 4th exceeds the limit (the config refuses it, naming how many fit)', () => {
    // Each primary account costs its roles' grants (about 3.4 KB, repeated from their identity
    // policies) plus its create denies (about 1.1 KB): a policy variable cannot bind a role to its
    // prefix. Raising this ceiling means shrinking the grants; lowering it must be a decision.
    const sizes = Array.from({ length: 10 }, (_, i) => size(i + 1));
    const fitting = sizes.filter((s) => s < LIMIT).length;
    expect({ fitting, sizes }).toEqual({ fitting: 3, sizes });
    expect(sizes[9]).toBeGreaterThan(LIMIT);
    const four = {
      ...example,
      primaryAccounts: Array.from({ length: 4 }, (_, i) => ({
        accountId: String(222222222222 + i * 1_000_001),
        name: `account${i}`,
        sources: [{ bucket: `acme-data-${i}` }],
      })),
    };
    expect(() => parseConfig(four, 'four')).toThrow(
      /primaryAccounts: received 4 accounts .* expected at most 3 primary accounts per vault/,
    );
  });

  it('the create denies grow by one account at a time and by nothing else', () => {
    const createDenies = (n: number) =>
      JSON.stringify(
        vaultBucketPolicy(withAccounts(n)).Statement.filter((s) =>
          /^Deny(BackupWritesExceptIngest|ReportWritesExceptEvidenceWriter|WritesOutsideAccountPrefixes)/.test(s.Sid ?? ''),
        ),
      ).length;
    const perAccount = createDenies(2) - createDenies(1);
    expect(createDenies(10) - createDenies(1)).toBe(9 * perAccount);
    expect(perAccount).toBeLessThan(1_100);
  });
});
