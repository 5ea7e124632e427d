/**
 * Top-level prefixes of the vault bucket. Policies grant by prefix, so a role that may append
 * data and journal entries cannot write anywhere else, and the auditor can read the journal
 * and reports without being able to read any backed-up object.
 */
export const VAULT_PREFIXES = {
  /** One object per backed-up source version or tombstone. */
  objects: 'objects/',
  /** Append-only journal segments (newline-delimited JSON). */
  journal: 'journal/',
  /** Verification reports written for compliance evidence. */
  reports: 'reports/',
} as const;

export type VaultArea = keyof typeof VAULT_PREFIXES;

/** `objects/<account>/`, `journal/<account>/`, `reports/<account>/`: one primary account's share of an area. */
export function accountPrefix(area: VaultArea, primaryAccount: string): string {
  return `${VAULT_PREFIXES[area]}${primaryAccount}/`;
}
