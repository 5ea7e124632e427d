import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { backUpChange } from '../../../lambda/core/copy-version';
import { type VaultTarget, VaultTargetError, vaultHas } from '../../../lambda/core/vault-write';
import { ACCOUNT, BUCKET } from './support';

const client = new S3Client({ region: 'eu-west-1' });
const vault = mockClient(client);
const target = (overrides: Partial<VaultTarget> = {}): VaultTarget => ({
  client,
  bucket: 'strongroom-vault',
  writerRole: 'the ingest role strongroom-ingest-222222222222',
  writeOnce: 'client',
  ...overrides,
});

beforeEach(() => vault.reset());

describe('the write-once check', () => {
  it('asks nothing where the server enforces If-None-Match', async () => {
    const exists = jest.fn();
    expect(await vaultHas(target({ writeOnce: 'server', exists }), 'objects/k')).toBe(false);
    expect(exists).not.toHaveBeenCalled();
  });

  it('asks exists() where the server ignores If-None-Match', async () => {
    const exists = jest.fn().mockResolvedValue(true);
    expect(await vaultHas(target({ exists }), 'objects/k')).toBe(true);
    expect(exists).toHaveBeenCalledWith('objects/k');
  });

  it('refuses a client-side write-once target without exists() with a VaultTargetError', async () => {
    const error = await vaultHas(target(), 'objects/k').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VaultTargetError);
    expect(error).toMatchObject({
      name: 'VaultTargetError',
      message:
        'vault target strongroom-vault: exists: received (missing), expected a check whether a vault key exists, ' +
        'which writeOnce "client" needs (its server ignores If-None-Match)',
      problems: [{ field: 'exists', received: '(missing)' }],
    });
  });

  it('fails a tombstone on such a target before writing anything', async () => {
    const ctx = {
      sourceAccount: ACCOUNT,
      source: new S3Client({ region: 'eu-west-1' }),
      sourceRole: 'copier',
      vault: target(),
      tuning: { singlePutMaxBytes: 1024, minPartBytes: 256, partsInFlight: 2 },
      now: () => new Date(),
    };
    const change = {
      type: 'deleted' as const,
      bucket: BUCKET,
      key: 'a',
      deletion: 'deleteMarker' as const,
      versionId: 'm1',
      sequencer: '0B',
      eventTime: new Date('2026-11-29T10:05:00Z'),
      origin: 'event' as const,
    };
    await expect(backUpChange(ctx, change)).rejects.toThrow(VaultTargetError);
    expect(vault).not.toHaveReceivedCommand(PutObjectCommand);
  });
});
