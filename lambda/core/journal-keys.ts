import { accountPrefix } from '../../contract/vault-layout';

/*
 * Where the journal lives, under `journal/<account>/`:
 *   <yyyy>/<mm>/<dd>/<time>-<id>.ndjson   segments, one per copier batch (v1 and v2 alike)
 *   seals/<sequence>.json                  seal records, a hash chain per account
 *   index/<sequence>/<bucket>/<sha256>.ndjson.gz
 *                                          the sealed index of one source bucket for that seal's interval, named
 *                                          by its content: a sealer that died before its seal record leaves an
 *                                          orphan that the next attempt (with other content) does not collide with
 * Names are chosen by the writer and prove nothing: readers take every write time from the server.
 */

export const SEALS_DIR = 'seals/';
export const INDEX_DIR = 'index/';

/** Sequence numbers are zero-padded so seal keys list in order. */
export function sealKey(account: string, sequence: number): string {
  return `${accountPrefix('journal', account)}${SEALS_DIR}${String(sequence).padStart(10, '0')}.json`;
}

export function sealsPrefix(account: string): string {
  return `${accountPrefix('journal', account)}${SEALS_DIR}`;
}

export function indexKey(account: string, sequence: number, bucket: string, sha256: string): string {
  return `${accountPrefix('journal', account)}${INDEX_DIR}${String(sequence).padStart(10, '0')}/${bucket}/${sha256}.ndjson.gz`;
}

/** A segment key: under the account's journal prefix, not a seal or an index, ending in `.ndjson`. */
export function isSegmentKey(account: string, key: string): boolean {
  const prefix = accountPrefix('journal', account);
  if (!key.startsWith(prefix)) return false;
  const rest = key.slice(prefix.length);
  return !rest.startsWith(SEALS_DIR) && !rest.startsWith(INDEX_DIR) && rest.endsWith('.ndjson');
}
