/**
 * Why each adaptation in local/rgw-policy-mapping.ts (RGW_ADAPTATIONS) exists, measured on the server: each
 * test shows what RGW pacific does with the unadapted form. If a Ceph upgrade changes a behaviour, the test
 * naming that adaptation fails, and the mapping (and the README table) can be revisited.
 */
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import {
  CreateBucketCommand,
  GetObjectCommand,
  GetObjectRetentionCommand,
  GetObjectTaggingCommand,
  ListObjectVersionsCommand,
  PutBucketAnalyticsConfigurationCommand,
  PutBucketEncryptionCommand,
  PutBucketIntelligentTieringConfigurationCommand,
  PutBucketInventoryConfigurationCommand,
  PutBucketLoggingCommand,
  PutBucketMetricsConfigurationCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketReplicationCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  PutPublicAccessBlockCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { PolicyStatement } from '../../lib/policy/document';
import { vaultBucketPolicy } from '../../lib/policy/vault-bucket';
import { type LocalS3Credentials, radosgwAdmin, rgwClientConfig, tenantBucket } from '../../local/local-s3';
import { attempt, describeOutcome } from '../../local/outcome';
import type { LocalDeployment } from '../../local/provision';
import { type AdaptationId, RGW_ADAPTATIONS } from '../../local/rgw-policy-mapping';
import { assumeRole } from '../../local/sessions';
import { integLocalS3 } from './support/env';
import { uniqueName } from './support/names';
import { Clients, contentMd5, DENIED, expectAllowed, ingestWrite, provisionForTest, testKey, vaultPut } from './support/vault';

jest.setTimeout(60_000);

/** Adaptation ids with a measurement below, registered as the tests are defined (so a -t filter changes nothing). */
const measured = new Set<AdaptationId>();
function measure(id: AdaptationId, title: string, fn: () => Promise<void>): void {
  measured.add(id);
  test(`${id}: ${title}`, fn);
}
/** Adaptations that are about what the local S3 lacks, not about how it evaluates something. */
const NOT_A_SERVER_BEHAVIOUR: Partial<Record<AdaptationId, string>> = {
  'stand-in-users': 'there is no Lambda locally; stand-in users are a provisioning choice',
};

const s3 = integLocalS3();
const clients = new Clients();
let d: LocalDeployment;
let owner: S3Client;
let primaryAdmin: S3Client;
let backupIam: IAMClient;
let primaryIam: IAMClient;

beforeAll(async () => {
  d = await provisionForTest('adapt');
  owner = clients.as(d, s3.tenants.backup);
  primaryAdmin = clients.as(d, s3.tenants.primary);
  backupIam = new IAMClient(rgwClientConfig(s3.tenants.backup, s3.endpoint, 4));
  primaryIam = new IAMClient(rgwClientConfig(s3.tenants.primary, s3.endpoint, 4));
});
afterAll(() => {
  clients.destroy();
  backupIam?.destroy();
  primaryIam?.destroy();
});

const outcome = async (request: Promise<unknown>) => describeOutcome(await attempt(request));
const status = async (request: Promise<unknown>) => (await attempt(request)).status;

/** A plain bucket of the backup tenant, with one object, and `statements` as its policy. */
async function bucketWithPolicy(label: string, statements: (bucket: string) => PolicyStatement[]) {
  const bucket = uniqueName(label);
  await owner.send(new CreateBucketCommand({ Bucket: bucket }));
  await owner.send(new PutObjectCommand({ Bucket: bucket, Key: 'data', Body: 'secret' }));
  await owner.send(
    new PutBucketPolicyCommand({
      Bucket: bucket,
      Policy: JSON.stringify({ Version: '2012-10-17', Statement: statements(bucket) }),
    }),
  );
  return bucket;
}

async function createUser(tenant: string, label: string): Promise<LocalS3Credentials & { uid: string; arn: string }> {
  const uid = uniqueName(label);
  const info = await radosgwAdmin<{ keys: { access_key: string; secret_key: string }[] }>(s3, [
    'user',
    'create',
    '--tenant',
    tenant,
    '--uid',
    uid,
    '--display-name',
    uid,
  ]);
  const key = info.keys[0] as { access_key: string; secret_key: string };
  return { uid, arn: `arn:aws:iam::${tenant}:user/${uid}`, accessKeyId: key.access_key, secretAccessKey: key.secret_key };
}

const trustOf = (principal: string, condition?: PolicyStatement['Condition']) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: principal },
        Action: 'sts:AssumeRole',
        ...(condition ? { Condition: condition } : {}),
      },
    ],
  });

measure(
  'exempting-deny',
  'a Deny on Principal "*" with ArnNotEquals aws:PrincipalArn never applies; named principals do',
  async () => {
    const asOnAws = await bucketWithPolicy('adapt-principalarn', (b) => [
      {
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:GetObject',
        Resource: `arn:aws:s3:::${b}/*`,
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': 'arn:aws:iam::backup:role/someone-else' } },
      },
    ]);
    expect(await outcome(owner.send(new GetObjectCommand({ Bucket: asOnAws, Key: 'data' })))).toBe('ok');
    const mapped = await bucketWithPolicy('adapt-principals', (b) => [
      {
        Effect: 'Deny',
        Principal: { AWS: [s3.tenants.backup.userArn] },
        Action: 's3:GetObject',
        Resource: `arn:aws:s3:::${b}/*`,
      },
    ]);
    expect(await outcome(owner.send(new GetObjectCommand({ Bucket: mapped, Key: 'data' })))).toBe(DENIED);
  },
);

measure(
  'exempting-deny',
  'a tenant root ARN in a bucket-policy Deny matches every user of that tenant, even one created later',
  async () => {
    const bucket = await bucketWithPolicy('adapt-root', (b) => [
      { Effect: 'Allow', Principal: '*', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${b}` },
      { Effect: 'Deny', Principal: { AWS: 'arn:aws:iam::primary:root' }, Action: 's3:ListBucket', Resource: `arn:aws:s3:::${b}` },
    ]);
    const newcomer = await createUser('primary', 'adapt-newcomer');
    const newcomerS3 = clients.as(d, newcomer);
    const list = (client: S3Client) =>
      outcome(client.send(new ListObjectVersionsCommand({ Bucket: tenantBucket('backup', bucket) })));
    expect(await list(newcomerS3)).toBe(DENIED);
    expect(await list(primaryAdmin)).toBe(DENIED);
    // ...and no user of another tenant: the bucket's owner still lists it
    expect(await list(owner)).toBe('ok');
  },
);

measure(
  'unevaluated-condition-statement',
  'a Deny on Null s3:object-lock-mode "false" refuses a plain put without lock headers',
  async () => {
    const writer = s3.tenants.primary.userArn;
    const bucket = await bucketWithPolicy('adapt-null', (b) => [
      { Effect: 'Allow', Principal: { AWS: writer }, Action: 's3:PutObject', Resource: `arn:aws:s3:::${b}/*` },
      {
        Effect: 'Deny',
        Principal: { AWS: writer },
        Action: 's3:PutObject',
        Resource: `arn:aws:s3:::${b}/*`,
        Condition: { Null: { 's3:object-lock-mode': 'false' } },
      },
    ]);
    const plain = primaryAdmin.send(
      new PutObjectCommand({ Bucket: tenantBucket('backup', bucket), Key: 'plain', Body: 'x', ACL: 'bucket-owner-full-control' }),
    );
    // on AWS the condition is false for a put without lock headers, and the put succeeds
    expect(await outcome(plain)).toBe(DENIED);
  },
);

measure('unevaluated-condition-statement', 'If-None-Match is ignored, a second write to a key adds a version', async () => {
  const ingest = await clients.assume(d, 'ingest');
  const key = testKey(d, 'objects', 'if-none-match');
  const first = await expectAllowed(
    ingest.s3.send(new PutObjectCommand({ ...vaultPut(d.vault.address, key, 'one').input, IfNoneMatch: '*' })),
  );
  const second = await expectAllowed(
    ingest.s3.send(new PutObjectCommand({ ...vaultPut(d.vault.address, key, 'two').input, IfNoneMatch: '*' })),
  );
  // AWS answers 412 PreconditionFailed to the second
  expect(second.VersionId).toBeTruthy();
  expect(second.VersionId).not.toBe(first.VersionId);
});

measure(
  'unknown-action',
  'pacific refuses a policy naming an action it does not know, and the operations themselves',
  async () => {
    const bucket = uniqueName('adapt-unknown');
    await owner.send(new CreateBucketCommand({ Bucket: bucket }));
    for (const action of [
      's3:PutBucketOwnershipControls',
      's3:GetBucketOwnershipControls',
      's3:PutEncryptionConfiguration',
      's3:GetEncryptionConfiguration',
      's3:PutAnalyticsConfiguration',
      's3:PutInventoryConfiguration',
      's3:PutMetricsConfiguration',
      's3:PutIntelligentTieringConfiguration',
      's3:ReplicateObject',
      's3:ReplicateDelete',
      's3:ReplicateTags',
    ]) {
      const policy = {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Deny', Principal: '*', Action: action, Resource: `arn:aws:s3:::${bucket}` }],
      };
      expect([
        action,
        await outcome(owner.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(policy) }))),
      ]).toEqual([action, 'InvalidArgument (400)']);
    }
    expect(
      await status(
        owner.send(
          new PutBucketEncryptionCommand({
            Bucket: bucket,
            ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
          }),
        ),
      ),
    ).toBe(400);
    expect(
      await status(
        owner.send(
          new PutBucketOwnershipControlsCommand({
            Bucket: bucket,
            OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
          }),
        ),
      ),
    ).toBe(400);
    // Nor has it the settings those actions govern, nor bucket replication to write with them.
    const target = uniqueName('adapt-unknown-target');
    await owner.send(new CreateBucketCommand({ Bucket: target }));
    const settings: Record<string, () => Promise<unknown>> = {
      analytics: () =>
        owner.send(
          new PutBucketAnalyticsConfigurationCommand({
            Bucket: bucket,
            Id: 'a',
            AnalyticsConfiguration: { Id: 'a', StorageClassAnalysis: {} },
          }),
        ),
      inventory: () =>
        owner.send(
          new PutBucketInventoryConfigurationCommand({
            Bucket: bucket,
            Id: 'i',
            InventoryConfiguration: {
              Id: 'i',
              IsEnabled: true,
              IncludedObjectVersions: 'All',
              Schedule: { Frequency: 'Daily' },
              Destination: { S3BucketDestination: { Bucket: `arn:aws:s3:::${target}`, Format: 'CSV' } },
            },
          }),
        ),
      metrics: () =>
        owner.send(new PutBucketMetricsConfigurationCommand({ Bucket: bucket, Id: 'm', MetricsConfiguration: { Id: 'm' } })),
      tiering: () =>
        owner.send(
          new PutBucketIntelligentTieringConfigurationCommand({
            Bucket: bucket,
            Id: 't',
            IntelligentTieringConfiguration: {
              Id: 't',
              Status: 'Enabled',
              Tierings: [{ Days: 90, AccessTier: 'ARCHIVE_ACCESS' }],
            },
          }),
        ),
      replication: () =>
        owner.send(
          new PutBucketReplicationCommand({
            Bucket: bucket,
            ReplicationConfiguration: {
              Role: 'arn:aws:iam::backup:role/replicator',
              Rules: [
                { Status: 'Enabled', Priority: 1, Filter: { Prefix: '' }, Destination: { Bucket: `arn:aws:s3:::${target}` } },
              ],
            },
          }),
        ),
    };
    const refusals: Record<string, number | undefined> = {};
    for (const [name, send] of Object.entries(settings)) refusals[name] = await status(send());
    expect(refusals).toEqual({ analytics: 400, inventory: 400, metrics: 400, tiering: 400, replication: 405 });
  },
);

measure(
  'absent-service-statement',
  'a role or user policy naming backup:, kms:, lambda: or states: actions is refused',
  async () => {
    const roleName = uniqueName('adapt-role');
    await backupIam.send(
      new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: trustOf(s3.tenants.primary.userArn) }),
    );
    const user = await createUser('primary', 'adapt-user');
    for (const [action, resource] of [
      ['backup:DescribeBackupVault', 'arn:aws:backup:us-east-1:backup:backup-vault:v'],
      ['kms:Decrypt', 'arn:aws:kms:us-east-1:primary:key/00000000-0000-0000-0000-000000000000'],
      ['lambda:InvokeFunction', 'arn:aws:lambda:us-east-1:primary:function:f'],
      ['states:StartExecution', 'arn:aws:states:us-east-1:primary:stateMachine:m'],
    ]) {
      const doc = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: resource }] });
      expect(
        await status(backupIam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: 'p', PolicyDocument: doc }))),
      ).toBe(400);
      expect(
        await status(
          primaryIam.send(new PutUserPolicyCommand({ UserName: `primary$${user.uid}`, PolicyName: 'p', PolicyDocument: doc })),
        ),
      ).toBe(400);
    }
  },
);

measure(
  'assume-role-identity-statement',
  "a user policy naming another tenant's role is refused, and AssumeRole ignores identity policies",
  async () => {
    const user = await createUser('primary', 'adapt-assumer');
    const roleName = uniqueName('adapt-assumed');
    const role = await backupIam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: trustOf(user.arn) }));
    const policyFor = (effect: string, resource: string) =>
      JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: effect, Action: 'sts:AssumeRole', Resource: resource }] });
    const put = (doc: string) =>
      primaryIam.send(new PutUserPolicyCommand({ UserName: `primary$${user.uid}`, PolicyName: 'assume', PolicyDocument: doc }));
    expect(await status(put(policyFor('Allow', role.Role?.Arn as string)))).toBe(400);
    // even an explicit Deny of every AssumeRole does not stop the trust from admitting the user
    await expectAllowed(put(policyFor('Deny', '*')));
    await expectAllowed(assumeRole(s3.endpoint, user, role.Role?.Arn as string, { sessionName: 'adapt' }));
  },
);

measure('trust-conditions', 'any trust condition makes AssumeRole fail; without one, any external id is accepted', async () => {
  const user = await createUser('primary', 'adapt-trusted');
  const withCondition = await backupIam.send(
    new CreateRoleCommand({
      RoleName: uniqueName('adapt-cond'),
      AssumeRolePolicyDocument: trustOf(user.arn, { StringEquals: { 'sts:ExternalId': 'the-right-external-id' } }),
    }),
  );
  const assume = (arn: string | undefined, externalId: string) =>
    assumeRole(s3.endpoint, user, arn as string, { sessionName: 'adapt', externalId });
  // on AWS this succeeds: the external id matches
  expect(await status(assume(withCondition.Role?.Arn, 'the-right-external-id'))).toBe(403);
  const plain = await backupIam.send(
    new CreateRoleCommand({ RoleName: uniqueName('adapt-plain'), AssumeRolePolicyDocument: trustOf(user.arn) }),
  );
  await expectAllowed(assume(plain.Role?.Arn, 'any-external-id-at-all'));
});

measure(
  'trust-stand-in-principals',
  'a tenant root in a trust admits every user of the tenant (the pin is not evaluated)',
  async () => {
    const role = await backupIam.send(
      new CreateRoleCommand({
        RoleName: uniqueName('adapt-rootrust'),
        AssumeRolePolicyDocument: trustOf('arn:aws:iam::primary:root'),
      }),
    );
    await expectAllowed(assumeRole(s3.endpoint, s3.tenants.primary, role.Role?.Arn as string, { sessionName: 'adapt' }));
    // the provisioned vault roles do not trust the tenant root: the primary admin is refused
    expect(
      await status(assumeRole(s3.endpoint, s3.tenants.primary, d.primary.vaultRoles.ingest.arn, { sessionName: 'adapt' })),
    ).toBe(403);
  },
);

measure('secure-transport', 'a Deny on aws:SecureTransport false does not stop a plain-HTTP request', async () => {
  expect(s3.endpoint.startsWith('http://')).toBe(true);
  const bucket = await bucketWithPolicy('adapt-tls', (b) => [
    {
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [`arn:aws:s3:::${b}`, `arn:aws:s3:::${b}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
  ]);
  expect(await outcome(owner.send(new GetObjectCommand({ Bucket: bucket, Key: 'data' })))).toBe('ok');
});

measure(
  'object-ownership',
  "without bucket-owner-full-control the vault's owner cannot read what the ingest role wrote",
  async () => {
    const ingest = await clients.assume(d, 'ingest');
    const withAcl = testKey(d, 'journal', 'with-acl');
    const withoutAcl = testKey(d, 'journal', 'without-acl');
    await ingestWrite(ingest, d, withAcl, 'entry');
    await expectAllowed(ingest.s3.send(new PutObjectCommand({ Bucket: d.vault.address, Key: withoutAcl, Body: 'entry' })));
    expect(await outcome(owner.send(new GetObjectCommand({ Bucket: d.vault.name, Key: withAcl })))).toBe('ok');
    expect(await outcome(owner.send(new GetObjectCommand({ Bucket: d.vault.name, Key: withoutAcl })))).toBe(DENIED);
    // the restore reader's bucket-policy grant reads it either way
    const reader = await clients.assume(d, 'restoreReader');
    expect(await outcome(reader.s3.send(new GetObjectCommand({ Bucket: d.vault.address, Key: withoutAcl })))).toBe('ok');
  },
);

measure('object-ownership', 'a role session never reads through ownership, even with the read deny removed', async () => {
  const open = await provisionForTest('adapt-nodeny', {
    bucketPolicy: (m) => {
      const doc = vaultBucketPolicy(m);
      return { ...doc, Statement: doc.Statement.filter((s) => s.Sid !== 'DenyDataReadsExceptRestoreReaders') };
    },
  });
  const ingest = await clients.assume(open, 'ingest');
  const key = testKey(open, 'objects', 'own-read');
  const versionId = await ingestWrite(ingest, open, key, 'bytes');
  expect(
    await outcome(ingest.s3.send(new GetObjectCommand({ Bucket: open.vault.address, Key: key, VersionId: versionId }))),
  ).toBe(DENIED);
  // whereas a user that writes may read back what it owns, unless a deny names it
  const bucket = await bucketWithPolicy('adapt-userown', (b) => [
    { Effect: 'Allow', Principal: { AWS: s3.tenants.primary.userArn }, Action: 's3:PutObject', Resource: `arn:aws:s3:::${b}/*` },
  ]);
  await primaryAdmin.send(new PutObjectCommand({ Bucket: tenantBucket('backup', bucket), Key: 'mine', Body: 'x' }));
  expect(await outcome(primaryAdmin.send(new GetObjectCommand({ Bucket: tenantBucket('backup', bucket), Key: 'mine' })))).toBe(
    'ok',
  );
});

measure(
  'put-lock-headers',
  's3:PutObjectRetention is not checked on PutObject: the ingest role writes a GOVERNANCE version',
  async () => {
    const ingest = await clients.assume(d, 'ingest');
    const key = testKey(d, 'objects', 'governance');
    const put = await expectAllowed(
      ingest.s3.send(
        new PutObjectCommand({
          ...vaultPut(d.vault.address, key, 'weak').input,
          ObjectLockMode: 'GOVERNANCE',
          ObjectLockRetainUntilDate: new Date(Date.now() + 60_000),
        }),
      ),
    );
    const auditor = await clients.assume(d, 'auditor');
    const retention = await expectAllowed(
      auditor.s3.send(new GetObjectRetentionCommand({ Bucket: d.vault.address, Key: key, VersionId: put.VersionId })),
    );
    // AWS refuses the put (no s3:PutObjectRetention for the ingest role, and the header denies)
    expect(retention.Retention?.Mode).toBe('GOVERNANCE');
  },
);

measure(
  'put-tagging-header',
  's3:PutObjectTagging is not checked on PutObject: the ingest role stores a tagged object, though it may not tag one',
  async () => {
    const ingest = await clients.assume(d, 'ingest');
    const key = testKey(d, 'objects', 'tagged');
    const put = await expectAllowed(
      ingest.s3.send(new PutObjectCommand({ ...vaultPut(d.vault.address, key, 'tagged').input, Tagging: 'planted=yes' })),
    );
    const tags = await expectAllowed(
      owner.send(new GetObjectTaggingCommand({ Bucket: d.vault.name, Key: key, VersionId: put.VersionId })),
    );
    // tagging it afterwards is refused (the provisioned DenyObjectTaggingExceptBreakGlass names the ingest role)
    expect(
      await outcome(
        ingest.s3.send(
          new PutObjectTaggingCommand({ Bucket: d.vault.address, Key: key, Tagging: { TagSet: [{ Key: 'k', Value: 'v' }] } }),
        ),
      ),
    ).toBe(DENIED);
    // AWS refuses the put: a PutObject with x-amz-tagging needs s3:PutObjectTagging, which the deny takes away
    expect(tags.TagSet).toEqual([{ Key: 'planted', Value: 'yes' }]);
  },
);

measure('checksums', 'a wrong x-amz-checksum-sha256 is stored without complaint; a wrong Content-MD5 is refused', async () => {
  const bucket = uniqueName('adapt-checksum');
  await owner.send(new CreateBucketCommand({ Bucket: bucket }));
  const wrongSha = `${'A'.repeat(43)}=`;
  expect(
    await outcome(owner.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'abc', ChecksumSHA256: wrongSha }))),
  ).toBe('ok');
  expect(
    await outcome(owner.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'abc', ContentMD5: contentMd5('xyz') }))),
  ).toBe('BadDigest (400)');
});

measure(
  'public-access-block',
  'BlockPublicPolicy refuses the vault policy; the ACL settings refuse the vault writes',
  async () => {
    const blocked = uniqueName('adapt-pab');
    await owner.send(new CreateBucketCommand({ Bucket: blocked }));
    await owner.send(
      new PutPublicAccessBlockCommand({
        Bucket: blocked,
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: false,
          IgnorePublicAcls: false,
          BlockPublicPolicy: true,
          RestrictPublicBuckets: false,
        },
      }),
    );
    const grantToRole = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: d.primary.vaultRoles.ingest.arn },
          Action: 's3:PutObject',
          Resource: `arn:aws:s3:::${blocked}/*`,
        },
      ],
    };
    expect(await outcome(owner.send(new PutBucketPolicyCommand({ Bucket: blocked, Policy: JSON.stringify(grantToRole) })))).toBe(
      DENIED,
    );

    const aclBlocked = uniqueName('adapt-pab-acl');
    await owner.send(new CreateBucketCommand({ Bucket: aclBlocked }));
    const grant = { ...grantToRole, Statement: [{ ...grantToRole.Statement[0], Resource: `arn:aws:s3:::${aclBlocked}/*` }] };
    await owner.send(new PutBucketPolicyCommand({ Bucket: aclBlocked, Policy: JSON.stringify(grant) }));
    const ingest = await clients.assume(d, 'ingest');
    const write = () => outcome(ingest.s3.send(vaultPut(tenantBucket('backup', aclBlocked), `k-${Date.now()}`, 'x')));
    expect(await write()).toBe('ok');
    await owner.send(
      new PutPublicAccessBlockCommand({
        Bucket: aclBlocked,
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: false,
          RestrictPublicBuckets: false,
        },
      }),
    );
    expect(await write()).toBe(DENIED);
  },
);

measure('no-access-log-bucket', 'pacific has no server access logging', async () => {
  const bucket = uniqueName('adapt-logging');
  const target = uniqueName('adapt-logging-target');
  await owner.send(new CreateBucketCommand({ Bucket: bucket }));
  await owner.send(new CreateBucketCommand({ Bucket: target }));
  expect(
    await outcome(
      owner.send(
        new PutBucketLoggingCommand({
          Bucket: bucket,
          BucketLoggingStatus: { LoggingEnabled: { TargetBucket: target, TargetPrefix: 'vault/' } },
        }),
      ),
    ),
  ).toBe('MethodNotAllowed (405)');
});

test('every adaptation in the table is measured here, or is not about server behaviour', () => {
  const unmeasured = RGW_ADAPTATIONS.map((a) => a.id).filter((id) => !measured.has(id) && !NOT_A_SERVER_BEHAVIOUR[id]);
  expect(unmeasured).toEqual([]);
});
