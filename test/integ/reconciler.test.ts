/**
 * The reconciler on the real local S3, wired as the Lambda handler wires it (sources listed as the
 * reconciler role's stand-in, the journal read through the auditor role reached by STS AssumeRole),
 * against changes whose events were never delivered. What it enqueues goes to the real copier.
 */
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { openJournal, readTimelines } from '../../lambda/core/journal-reader';
import { sealJournal } from '../../lambda/core/journal-seal';
import { parseSourceChange } from '../../lambda/core/source-change';
import { currentAt, type KeyTimeline } from '../../lambda/core/timeline';
import { type LocalCopier, localCopier } from '../../local/local-copier';
import { type LocalReconciler, localReconciler } from '../../local/local-reconciler';
import type { LocalDeployment } from '../../local/provision';
import { provisionLocalVault } from '../../local/provision';
import type { VaultSession } from '../../local/sessions';
import { SourceEventLog } from '../../local/source-events';
import { integLocalS3 } from './support/env';
import { Clients, localConfig } from './support/vault';

jest.setTimeout(120_000);

const clients = new Clients();
afterAll(() => clients.destroy());

describe('reconciler on the local S3', () => {
  let deployment: LocalDeployment;
  let copier: LocalCopier;
  let reconciler: LocalReconciler;
  let auditor: VaultSession;
  let app: S3Client;
  let events: SourceEventLog;
  let versioned: string;
  let unversioned: string;

  beforeAll(async () => {
    const config = localConfig();
    const account = config.primaryAccounts[0];
    if (!account) throw new Error('the local config has no primary account');
    account.sources = [{ bucket: 'acme-invoices' }, { bucket: 'acme-scratch' }];
    deployment = await provisionLocalVault(integLocalS3(), config, { label: 'recon', unversionedSources: ['acme-scratch'] });
    [versioned, unversioned] = deployment.primary.sources.map((s) => s.name) as [string, string];
    copier = localCopier(deployment);
    reconciler = localReconciler(deployment);
    auditor = await clients.assume(deployment, 'auditor', { caller: deployment.primary.functions.reconciler });
    app = clients.as(deployment, deployment.primary.admin);
    events = new SourceEventLog(deployment.primary.tenant);
  });
  afterAll(() => {
    copier?.close();
    reconciler?.close();
  });

  const put = async (bucket: string, key: string, body: string) => {
    const out = await app.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    return { key, versionId: out.VersionId, etag: out.ETag };
  };
  const remove = (bucket: string, key: string, versionId?: string) =>
    app.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) }));
  /** One key's timeline, read as the reconciler reads it (the auditor role, the streaming reader). */
  const timelineOf = async (bucket: string, key: string): Promise<KeyTimeline> => {
    const view = await openJournal({ client: auditor.s3, bucket: deployment.vault.address }, deployment.primary.tenant);
    for await (const t of readTimelines(view, { bucket, prefix: key })) if (t.key === key) return t;
    throw new Error(`no timeline for ${bucket}/${key}`);
  };
  const summary = (bodies: string[]) =>
    bodies
      .map((body) =>
        parseSourceChange(
          body,
          { account: deployment.primary.tenant, sources: [{ bucket: versioned }, { bucket: unversioned }] },
          'enqueued',
        ),
      )
      .map((c) => [
        c.bucket === versioned ? 'versioned' : 'unversioned',
        c.type === 'created' ? 'created' : c.deletion,
        c.key,
        c.versionId,
        c.origin,
      ]);

  it('finds an unversioned deletion whose event was never delivered; the copier records it as a d.r tombstone', async () => {
    // Backed up through their events...
    const gone = await put(unversioned, 'scratch/gone.csv', 'a,b\n1,2\n');
    const kept = await put(unversioned, 'scratch/kept.csv', 'a,b\n3,4\n');
    const destroyed = await put(versioned, 'invoices/destroyed.pdf', 'v1');
    const first = await copier.copy(
      events.records([
        events.created(unversioned, gone),
        events.created(unversioned, kept),
        events.created(versioned, destroyed),
      ]),
    );
    expect(first.failedMessageIds).toEqual([]);
    // ...sealed, so the reconciler reads a sealed index (ranged GETs) as well as the tail...
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const ingest = await clients.assume(deployment, 'ingest');
    const sealed = await sealJournal({
      reader: { client: auditor.s3, bucket: deployment.vault.address },
      writer: { client: ingest.s3, bucket: deployment.vault.address },
      account: deployment.primary.tenant,
      now: () => new Date(),
      settleMs: 0,
    });
    expect(sealed.sealed).toBe(true);
    // ...then changed with every event lost: a deletion, a destroyed version, a new object.
    await remove(unversioned, 'scratch/gone.csv');
    await remove(versioned, 'invoices/destroyed.pdf', destroyed.versionId);
    const lost = await put(versioned, 'invoices/lost.pdf', 'never announced');

    const before = await timelineOf(unversioned, 'scratch/gone.csv');
    expect(currentAt(before, new Date())?.kind).toBe('version');

    const pass = await reconciler.run();
    expect(pass.result.done).toBe(true);
    expect(summary(pass.enqueued)).toEqual([
      ['versioned', 'permanent', 'invoices/destroyed.pdf', destroyed.versionId, 'reconciler'],
      ['versioned', 'created', 'invoices/lost.pdf', lost.versionId, 'reconciler'],
      ['unversioned', 'permanent', 'scratch/gone.csv', null, 'reconciler'],
    ]);
    const detectedAt = new Date(JSON.parse(pass.enqueued[2] as string).time);

    const copied = await copier.copy(events.records(pass.enqueued));
    expect(copied.failedMessageIds).toEqual([]);
    expect(copied.outcomes.map((o) => o.outcome.status)).toEqual(['copied', 'copied', 'copied']);

    const after = await timelineOf(unversioned, 'scratch/gone.csv');
    expect(after.entries.map((e) => [e.kind, e.token.replace(/^c\..*/, 'c.')])).toEqual([
      ['version', 'c.'],
      ['deleted', `d.r${detectedAt.getTime()}`],
    ]);
    expect(after.entries[1]?.sourceTime).toBe(detectedAt.toISOString());
    expect(currentAt(after, new Date(detectedAt.getTime() - 1))?.kind).toBe('version');
    expect(currentAt(after, detectedAt)).toBeNull();
    expect(currentAt(after, new Date())).toBeNull();
    expect(currentAt(await timelineOf(versioned, 'invoices/destroyed.pdf'), new Date())).toBeNull();
    expect(currentAt(await timelineOf(unversioned, 'scratch/kept.csv'), new Date())?.kind).toBe('version');

    // Recorded: a second pass has nothing left to enqueue.
    expect((await reconciler.run()).enqueued).toEqual([]);
  });
});
