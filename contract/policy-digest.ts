import { createHash } from 'node:crypto';

/*
 * How verify recognises a policy statement it did not write: a digest of its canonical form. The stack
 * hands the verify function one digest per deny statement lib/policy writes (the function cannot import
 * lib/policy, and the document is too large for an environment variable); verify canonicalizes what
 * GetBucketPolicy returns the same way and compares Sid by Sid.
 *
 * Canonical form: object keys sorted, and every list of strings sorted with a lone string read as a
 * one-element list — IAM reads `"Action": "s3:X"` and `"Action": ["s3:X"]` alike, and the order of a list
 * has no meaning — so a statement stored back in another spelling still matches.
 */

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(canonical);
    return items.every((i) => typeof i === 'string') ? [...(items as string[])].sort() : items;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]): [string, unknown] => [k, typeof v === 'string' && k !== 'Sid' && k !== 'Effect' ? [v] : canonical(v)]);
    return Object.fromEntries(entries);
  }
  return value;
}

/** 16 hex digits (64 bits) of the SHA-256 of a statement's canonical JSON. */
export function statementDigest(statement: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(canonical(statement)))
    .digest('hex')
    .slice(0, 16);
}

interface StatementLike {
  readonly Sid?: string;
  readonly Effect?: string;
}

/** Sid -> digest of every Deny statement of a policy document (statements without a Sid are keyed by position). */
export function denyDigests(document: { readonly Statement: readonly unknown[] }): Record<string, string> {
  const out: Record<string, string> = {};
  document.Statement.forEach((s, i) => {
    const statement = s as StatementLike;
    if (statement.Effect !== 'Deny') return;
    out[statement.Sid ?? `#${i}`] = statementDigest(s);
  });
  return out;
}
