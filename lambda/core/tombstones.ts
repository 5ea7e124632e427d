import type { ObjectDeleted } from './source-change';
import { type VaultEntry, vaultObjectMetadata } from './vault-entry';
import { deletedToken, deleteMarkerToken, destroyedToken, type SourceObjectRef, vaultKeyFor } from './vault-keys';
import { alreadyInVault, putVaultObject, type VaultWriter, vaultHas, type WriteOutcome, writeOnce } from './vault-write';

/*
 * A deletion in a source becomes an empty tombstone object in the vault, never a deletion there: a
 * delete marker (`m.`), a permanently deleted version (`x.`), or a deletion in an unversioned
 * source (`d.`, named by its sequencer, or by when it was detected when there is none).
 */

const EMPTY = Buffer.alloc(0);

export async function recordDeletion(writer: VaultWriter, sourceAccount: string, change: ObjectDeleted): Promise<WriteOutcome> {
  const entry = tombstoneEntry({ account: sourceAccount, bucket: change.bucket, key: change.key }, change);
  if (await vaultHas(writer.vault, entry.vaultKey)) return alreadyInVault(writer, entry);
  return writeOnce(
    writer,
    entry.vaultKey,
    () => putVaultObject(writer.vault, entry.vaultKey, EMPTY, { Metadata: vaultObjectMetadata(entry) }),
    () => entry,
  );
}

/** What a deletion's tombstone records: which kind it is, what it names, and when it happened. */
export function tombstoneEntry(ref: SourceObjectRef, change: ObjectDeleted): VaultEntry {
  const named = tombstoneName(change);
  return {
    ...named,
    account: ref.account,
    bucket: ref.bucket,
    key: ref.key,
    vaultKey: vaultKeyFor(ref, named.token),
    sourceEtag: null,
    sourceTime: change.eventTime.toISOString(),
    sequencer: change.sequencer,
    eventTime: change.eventTime.toISOString(),
    size: 0,
    sha256: null,
    contentType: null,
    metadata: {},
  };
}

function tombstoneName(change: ObjectDeleted): Pick<VaultEntry, 'kind' | 'token' | 'sourceVersionId' | 'destroys'> {
  if (change.deletion === 'deleteMarker' && change.versionId) {
    return {
      kind: 'deleteMarker',
      token: deleteMarkerToken(change.versionId),
      sourceVersionId: change.versionId,
      destroys: null,
    };
  }
  if (change.versionId) {
    return { kind: 'destroyed', token: destroyedToken(change.versionId), sourceVersionId: null, destroys: change.versionId };
  }
  const token = deletedToken(change.sequencer ? { sequencer: change.sequencer } : { detectedAt: change.eventTime });
  return { kind: 'deleted', token, sourceVersionId: null, destroys: null };
}
