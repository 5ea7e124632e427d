/**
 * The vault roles, reached as the deployed functions reach them: real STS AssumeRole from the stand-in of
 * the function role that the trust names, with the external id. Live on the local S3.
 *   ingest          append only: write under its account's objects/ and journal/, nothing else
 *   restore reader  read its account's objects and journal, list them, nothing else
 *   auditor         read settings, retention and the journal; never backed-up bytes
 */
import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteBucketPolicyCommand,
  DeleteObjectCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetObjectLockConfigurationCommand,
  GetObjectRetentionCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketPolicyCommand,
  PutObjectAclCommand,
  PutObjectRetentionCommand,
} from '@aws-sdk/client-s3';
import { attempt } from '../../local/outcome';
import type { LocalDeployment } from '../../local/provision';
import { assumeVaultRole, type VaultSession } from '../../local/sessions';
import { Clients, expectAllowed, expectDenied, ingestWrite, provisionForTest, testKey, vaultPut } from './support/vault';

jest.setTimeout(60_000);

const clients = new Clients();
let d: LocalDeployment;
let ingest: VaultSession;

beforeAll(async () => {
  d = await provisionForTest('roles');
  ingest = await clients.assume(d, 'ingest');
});
afterAll(() => clients.destroy());

const retention = (key: string, versionId: string, days: number) =>
  new PutObjectRetentionCommand({
    Bucket: d.vault.address,
    Key: key,
    VersionId: versionId,
    Retention: { Mode: 'COMPLIANCE', RetainUntilDate: new Date(Date.now() + days * 86_400_000) },
  });

describe('who may assume which vault role', () => {
  it('each function stand-in assumes exactly the role its trust names, with the external id', async () => {
    const f = d.primary.functions;
    const pairs = [
      ['ingest', f.copier],
      ['restoreReader', f.restore],
      ['auditor', f.verify],
      ['auditor', f.reconciler],
      ['ingest', f.sealer],
      ['auditor', f.sealer],
    ] as const;
    for (const [kind, caller] of pairs) await expectAllowed(clients.assume(d, kind, { caller }));
    const refused = [
      ['ingest', f.restore],
      ['ingest', f.verify],
      ['restoreReader', f.copier],
      ['auditor', f.copier],
      ['restoreReader', f.sealer],
      ['ingest', d.backup.admin],
      ['ingest', d.backup.breakGlass],
    ] as const;
    for (const [kind, caller] of refused) expect((await attempt(assumeVaultRole(d, kind, { caller }))).status).toBe(403);
  });
});

describe('the ingest role (append only)', () => {
  it("writes under its own account's objects/ and journal/", async () => {
    await ingestWrite(ingest, d, testKey(d, 'objects', 'ingest-objects'), 'object');
    await ingestWrite(ingest, d, testKey(d, 'journal', 'ingest-journal'), 'journal');
  });

  it('writes nowhere else: not reports/, not the top level, not another account, not outside the vault', async () => {
    for (const key of [
      testKey(d, 'reports', 'ingest-reports'),
      `top-level-${Date.now()}`,
      `objects/someone-else/${Date.now()}`,
      `journal/someone-else/${Date.now()}`,
    ]) {
      await expectDenied(ingest.s3.send(vaultPut(d.vault.address, key, 'x')));
    }
    // another tenant's bucket is not even found from a session of a backup-tenant role (RGW: 404)
    const source = await attempt(ingest.s3.send(vaultPut(d.primary.sources[0]?.address as string, 'k', 'x')));
    expect([403, 404]).toContain(source.status);
  });

  it('cannot read, not even what it has just written', async () => {
    const key = testKey(d, 'objects', 'ingest-read');
    const versionId = await ingestWrite(ingest, d, key, 'secret');
    await expectDenied(ingest.s3.send(new GetObjectCommand({ Bucket: d.vault.address, Key: key })));
    await expectDenied(ingest.s3.send(new GetObjectCommand({ Bucket: d.vault.address, Key: key, VersionId: versionId })));
    // a HEAD response has no body, so no error code: the status is the answer
    expect((await attempt(ingest.s3.send(new HeadObjectCommand({ Bucket: d.vault.address, Key: key })))).status).toBe(403);
    const journal = testKey(d, 'journal', 'ingest-read-journal');
    await ingestWrite(ingest, d, journal, 'journal');
    await expectDenied(ingest.s3.send(new GetObjectCommand({ Bucket: d.vault.address, Key: journal })));
  });

  it('cannot list objects or versions, even under its own prefix', async () => {
    await expectDenied(ingest.s3.send(new ListObjectsV2Command({ Bucket: d.vault.address })));
    await expectDenied(
      ingest.s3.send(new ListObjectsV2Command({ Bucket: d.vault.address, Prefix: d.primary.vaultPrefixes.objects })),
    );
    await expectDenied(
      ingest.s3.send(new ListObjectVersionsCommand({ Bucket: d.vault.address, Prefix: d.primary.vaultPrefixes.objects })),
    );
  });

  it('cannot delete a version or add a delete marker', async () => {
    const key = testKey(d, 'objects', 'ingest-delete');
    const versionId = await ingestWrite(ingest, d, key, 'x');
    await expectDenied(ingest.s3.send(new DeleteObjectCommand({ Bucket: d.vault.address, Key: key, VersionId: versionId })));
    await expectDenied(ingest.s3.send(new DeleteObjectCommand({ Bucket: d.vault.address, Key: key })));
  });

  it('cannot change retention either way (shorten, or extend as a cost attack), nor the ACL', async () => {
    const key = testKey(d, 'objects', 'ingest-retention');
    const versionId = await ingestWrite(ingest, d, key, 'x');
    await expectDenied(ingest.s3.send(retention(key, versionId, 0.001)));
    await expectDenied(ingest.s3.send(retention(key, versionId, 3650)));
    await expectDenied(
      ingest.s3.send(new PutObjectAclCommand({ Bucket: d.vault.address, Key: key, VersionId: versionId, ACL: 'public-read' })),
    );
  });

  it('cannot replace or delete the bucket policy', async () => {
    const open = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' }] };
    await expectDenied(ingest.s3.send(new PutBucketPolicyCommand({ Bucket: d.vault.address, Policy: JSON.stringify(open) })));
    await expectDenied(ingest.s3.send(new DeleteBucketPolicyCommand({ Bucket: d.vault.address })));
  });

  it('may list and abort its own incomplete multipart uploads (the housekeeping grants)', async () => {
    const key = testKey(d, 'objects', 'ingest-multipart');
    const upload = await expectAllowed(
      ingest.s3.send(new CreateMultipartUploadCommand({ Bucket: d.vault.address, Key: key, ACL: 'bucket-owner-full-control' })),
    );
    const uploads = await expectAllowed(ingest.s3.send(new ListMultipartUploadsCommand({ Bucket: d.vault.address })));
    expect((uploads.Uploads ?? []).map((u) => u.UploadId)).toContain(upload.UploadId);
    await expectAllowed(
      ingest.s3.send(new AbortMultipartUploadCommand({ Bucket: d.vault.address, Key: key, UploadId: upload.UploadId })),
    );
  });
});

describe('the restore reader', () => {
  it("reads its account's objects and journal as the ingest role wrote them, and lists them by prefix", async () => {
    const reader = await clients.assume(d, 'restoreReader');
    const key = testKey(d, 'objects', 'reader');
    const versionId = await ingestWrite(ingest, d, key, 'restore me');
    const got = await expectAllowed(
      reader.s3.send(new GetObjectCommand({ Bucket: d.vault.address, Key: key, VersionId: versionId })),
    );
    expect(await got.Body?.transformToString()).toBe('restore me');
    const journal = testKey(d, 'journal', 'reader');
    await ingestWrite(ingest, d, journal, 'entry');
    await expectAllowed(reader.s3.send(new GetObjectCommand({ Bucket: d.vault.address, Key: journal })));
    const listed = await expectAllowed(
      reader.s3.send(new ListObjectVersionsCommand({ Bucket: d.vault.address, Prefix: d.primary.vaultPrefixes.objects })),
    );
    expect((listed.Versions ?? []).map((v) => v.VersionId)).toContain(versionId);
  });

  it('cannot list outside its prefixes, write, delete, or change retention', async () => {
    const reader = await clients.assume(d, 'restoreReader');
    await expectDenied(reader.s3.send(new ListObjectsV2Command({ Bucket: d.vault.address })));
    await expectDenied(
      reader.s3.send(new ListObjectsV2Command({ Bucket: d.vault.address, Prefix: d.primary.vaultPrefixes.reports })),
    );
    const key = testKey(d, 'objects', 'reader-write');
    await expectDenied(reader.s3.send(vaultPut(d.vault.address, key, 'x')));
    const versionId = await ingestWrite(ingest, d, key, 'x');
    await expectDenied(reader.s3.send(new DeleteObjectCommand({ Bucket: d.vault.address, Key: key, VersionId: versionId })));
    await expectDenied(reader.s3.send(new DeleteObjectCommand({ Bucket: d.vault.address, Key: key })));
    await expectDenied(reader.s3.send(retention(key, versionId, 0.001)));
  });
});

describe('the auditor', () => {
  it('reads the journal, retention and vault settings', async () => {
    const auditor = await clients.assume(d, 'auditor');
    const journal = testKey(d, 'journal', 'auditor');
    await ingestWrite(ingest, d, journal, 'entry');
    const got = await expectAllowed(auditor.s3.send(new GetObjectCommand({ Bucket: d.vault.address, Key: journal })));
    expect(await got.Body?.transformToString()).toBe('entry');
    const key = testKey(d, 'objects', 'auditor-retention');
    const versionId = await ingestWrite(ingest, d, key, 'x');
    const kept = await expectAllowed(
      auditor.s3.send(new GetObjectRetentionCommand({ Bucket: d.vault.address, Key: key, VersionId: versionId })),
    );
    expect(kept.Retention?.Mode).toBe('COMPLIANCE');
    const lock = await expectAllowed(auditor.s3.send(new GetObjectLockConfigurationCommand({ Bucket: d.vault.address })));
    expect(lock.ObjectLockConfiguration?.Rule?.DefaultRetention).toEqual({ Mode: 'COMPLIANCE', Days: d.vault.retentionDays });
    const versioning = await expectAllowed(auditor.s3.send(new GetBucketVersioningCommand({ Bucket: d.vault.address })));
    expect(versioning.Status).toBe('Enabled');
    await expectAllowed(
      auditor.s3.send(new ListObjectVersionsCommand({ Bucket: d.vault.address, Prefix: d.primary.vaultPrefixes.journal })),
    );
  });

  it('cannot read backed-up objects, write, or delete', async () => {
    const auditor = await clients.assume(d, 'auditor');
    const key = testKey(d, 'objects', 'auditor-read');
    const versionId = await ingestWrite(ingest, d, key, 'x');
    await expectDenied(auditor.s3.send(new GetObjectCommand({ Bucket: d.vault.address, Key: key, VersionId: versionId })));
    await expectDenied(auditor.s3.send(vaultPut(d.vault.address, testKey(d, 'reports', 'auditor-write'), 'x')));
    await expectDenied(auditor.s3.send(new DeleteObjectCommand({ Bucket: d.vault.address, Key: key, VersionId: versionId })));
  });
});
