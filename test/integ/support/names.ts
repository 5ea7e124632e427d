import { randomBytes } from 'node:crypto';

let counter = 0;

/**
 * A bucket name no other test or run has used: COMPLIANCE-locked buckets can never be emptied, and a kept
 * cluster (STRONGROOM_KEEP_LOCAL_S3=1) outlives the run. S3 rules: 3-63 of [a-z0-9-], alphanumeric at both ends.
 */
export function uniqueName(prefix: string): string {
  const clean = prefix
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  // time + pid tell runs and workers apart; the counter and random part tell calls apart
  const suffix = `${Date.now().toString(36)}-${process.pid.toString(36)}-${(counter++).toString(36)}${randomBytes(2).toString('hex')}`;
  const head = clean.slice(0, 62 - suffix.length).replace(/-+$/, '');
  return head ? `${head}-${suffix}` : suffix;
}
