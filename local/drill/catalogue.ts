/**
 * The attack drill's catalogue: every principal that can reach the vault against every destructive or forging
 * action, as data. One list, shared by `npm run drill` (run-drill.ts), the demo's attack steps and the
 * integration tests (drill, vault protections, vault guards).
 *
 * Each attempt names who acts, what it tries (for a person), its category, the outcome it must have, and the
 * bucket-policy denies that refuse it (so the guard tests can remove one deny and run the attempts relying on
 * it). The requests themselves live in actions.ts; who may do what is the matrix below.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { LocalDeployment } from '../provision';
import type { AdaptationId } from '../rgw-policy-mapping';
import { ACTIONS, type ActionDef, type ActionId } from './actions';

/** Who acts. */
export type PrincipalId =
  | 'primaryAdmin'
  | 'ingest'
  | 'restoreReader'
  | 'auditor'
  | 'evidenceWriter'
  | 'backupAdmin'
  | 'breakGlass';

export const PRINCIPALS: Readonly<Record<PrincipalId, { readonly label: string; readonly who: string }>> = {
  primaryAdmin: { label: 'primary admin', who: "full admin of the primary account (the Code Spaces intruder's keys)" },
  ingest: { label: 'ingest', who: "the ingest role, assumed with the copier's (stolen) credentials" },
  restoreReader: { label: 'restore reader', who: "the restore-reader role, assumed with the restore function's credentials" },
  auditor: { label: 'auditor', who: "the auditor role, assumed with the verify function's credentials" },
  evidenceWriter: { label: 'evidence writer', who: "the evidence-writer role, assumed with the verify function's credentials" },
  backupAdmin: { label: 'backup admin', who: "the backup account's admin, owner of the vault bucket" },
  breakGlass: { label: 'break-glass', who: 'the break-glass role: exempt from every policy deny, never from Object Lock' },
};

export const PRINCIPAL_IDS = Object.keys(PRINCIPALS) as PrincipalId[];

/** The vault versions an attempt aims at, taken from the inventory before the drill. */
export interface DrillTarget {
  readonly key: string;
  readonly versionId: string;
}

/** What the attempts run with. */
export interface DrillContext {
  readonly deployment: LocalDeployment;
  /** One S3 client per principal: tenant admins and break-glass by their keys, vault roles by real STS AssumeRole. */
  readonly clients: Readonly<Record<PrincipalId, S3Client>>;
  /** A backed-up object's version, a journal segment's version, a filed report's version (if the vault holds one). */
  readonly targets: { readonly object: DrillTarget; readonly journal: DrillTarget; readonly report?: DrillTarget };
  /** Unique in this run: new keys carry it, so a rerun on the same vault never aims at a key an earlier run wrote. */
  readonly runId: string;
}

/** The denies of lib/policy/vault-bucket.ts an attempt relies on (per-account ones by their name without the account). */
export type DenyName =
  | 'DenyObjectDestructionExceptBreakGlass'
  | 'DenyOverwritesExceptBreakGlass'
  | 'DenyBackupWritesExceptIngest'
  | 'DenyReportWritesExceptEvidenceWriter'
  | 'DenyWritesOutsideAccountPrefixesExceptBreakGlass'
  | 'DenyReplicationWritesExceptBreakGlass'
  | 'DenyObjectTaggingExceptBreakGlass'
  | 'DenyDataReadsExceptRestoreReaders'
  | 'DenyBucketReconfigurationExceptBreakGlass'
  | 'DenyPolicyChangesExceptBreakGlassAndDeployer';

/** Who each deny exempts besides break-glass (exempt from them all): its attempts do not rely on that deny. */
const EXEMPT: Partial<Record<DenyName, PrincipalId>> = {
  DenyBackupWritesExceptIngest: 'ingest',
  DenyReportWritesExceptEvidenceWriter: 'evidenceWriter',
  DenyDataReadsExceptRestoreReaders: 'restoreReader',
};

/** Where AWS's refusal of what the local S3 lets through (or cannot do) is proven instead. */
export interface RgwOutcome {
  readonly kind: 'rgw';
  readonly adaptation: AdaptationId;
  /** What the local S3 does: adds a new version (every earlier one stays), or refuses with this HTTP status. */
  readonly local: 'adds-version' | number;
  /** The policy-level proof that AWS refuses it. */
  readonly awsProof: string;
}

export type Expected =
  /** HTTP 403; `by` says what refuses it when it is not the policy (Object Lock, a trust policy). */
  | { readonly kind: 'denied'; readonly by?: string }
  /** Succeeds; `adds` when it writes a new vault version (the inventory must find exactly those). */
  | { readonly kind: 'allowed'; readonly adds?: true }
  /** Refused with another status, for a reason that holds on AWS too. */
  | { readonly kind: 'refused'; readonly status: number; readonly why: string }
  | RgwOutcome;

export interface DrillAttempt {
  readonly principal: PrincipalId;
  readonly action: ActionId;
  /** A short human description. */
  readonly attempt: string;
  readonly category: ActionDef['category'];
  readonly expected: Expected;
  /** Denies of the vault bucket policy that refuse it (empty when grants, a trust or Object Lock alone decide). */
  readonly deniedBy: readonly DenyName[];
  /** The vault target it needs (attempts on a report are left out on a vault that holds none). */
  readonly needs?: 'report';
  readonly run: (ctx: DrillContext) => Promise<unknown>;
}

// ---- the expected outcomes ------------------------------------------------------------------------------------

const DENIED: Expected = { kind: 'denied' };
const ALLOWED: Expected = { kind: 'allowed' };
const APPENDS: Expected = { kind: 'allowed', adds: true };
const OBJECT_LOCK: Expected = { kind: 'denied', by: 'Object Lock' };
const TRUST: Expected = { kind: 'denied', by: 'the trust policy' };
/** RGW ignores If-None-Match: the one principal allowed to write a prefix adds a version over an existing key. */
const OVERWRITE_ADDS_VERSION: Expected = {
  kind: 'rgw',
  adaptation: 'unevaluated-condition-statement',
  local: 'adds-version',
  awsProof: 'DenyOverwritesExceptBreakGlass, test/policy/vault-bucket.test.ts',
};
/** RGW pacific cannot replicate: the request is refused as unsupported before any policy is read. */
const REPLICATION_UNSUPPORTED: Expected = {
  kind: 'rgw',
  adaptation: 'unknown-action',
  local: 405,
  awsProof: 'DenyBucketReconfigurationExceptBreakGlass, test/policy/vault-bucket.test.ts',
};

/** The expected outcome in the table's words. */
export function describeExpected(e: Expected): string {
  switch (e.kind) {
    case 'denied':
      return e.by ? `denied (${e.by})` : 'denied';
    case 'allowed':
      return e.adds ? 'allowed: adds a version' : 'allowed';
    case 'refused':
      return `refused (${e.status}: ${e.why})`;
    case 'rgw':
      return (
        `denied on AWS (policy proof: ${e.awsProof}); locally: ` +
        (e.local === 'adds-version' ? 'adds a version, no earlier version lost' : `refused as unsupported (${e.local})`)
      );
  }
}

// ---- the matrix: who tries what, and what must happen ------------------------------------------------------

type Row = Partial<Record<PrincipalId, Expected>>;

/** Every principal but break-glass is denied (break-glass is exempt from the policy: not tried). */
const denyAllButBreakGlass = (overrides: Row = {}): Row => ({
  primaryAdmin: DENIED,
  ingest: DENIED,
  restoreReader: DENIED,
  auditor: DENIED,
  evidenceWriter: DENIED,
  backupAdmin: DENIED,
  ...overrides,
});
/** The row less one principal (an attempt that would only test housekeeping for it). */
const without = (principal: PrincipalId, row: Row): Row =>
  Object.fromEntries(Object.entries(row).filter(([p]) => p !== principal));
/** Every principal is denied; break-glass by Object Lock, which binds it too. */
const lockedForEveryone = (): Row => denyAllButBreakGlass({ breakGlass: OBJECT_LOCK });

export const MATRIX: Readonly<Record<ActionId, Row>> = {
  // deleting versions, singly and in batches, with and without governance bypass
  'delete-object-version': lockedForEveryone(),
  'delete-object-version-bypass': lockedForEveryone(),
  'delete-journal-version': lockedForEveryone(),
  'delete-journal-version-bypass': lockedForEveryone(),
  'delete-report-version': lockedForEveryone(),
  'delete-batch': lockedForEveryone(),
  'delete-batch-bypass': lockedForEveryone(),
  // delete markers (Object Lock keeps versions, not keys: only the policy stops a marker)
  'delete-marker-object': denyAllButBreakGlass(),
  'delete-marker-journal': denyAllButBreakGlass(),
  // retention and legal hold
  'shorten-retention': lockedForEveryone(),
  'switch-to-governance': lockedForEveryone(),
  'extend-retention': denyAllButBreakGlass(),
  'legal-hold': denyAllButBreakGlass(),
  // overwrites and forgeries
  'overwrite-object': denyAllButBreakGlass({ ingest: OVERWRITE_ADDS_VERSION }),
  'overwrite-journal': denyAllButBreakGlass({ ingest: OVERWRITE_ADDS_VERSION }),
  'overwrite-report': denyAllButBreakGlass({ evidenceWriter: OVERWRITE_ADDS_VERSION }),
  'copy-over-object': denyAllButBreakGlass(),
  'write-new-object': denyAllButBreakGlass({ ingest: APPENDS }),
  'write-new-journal': denyAllButBreakGlass({ ingest: APPENDS }),
  'write-new-report': denyAllButBreakGlass({ evidenceWriter: APPENDS }),
  'write-bucket-root': denyAllButBreakGlass(),
  'write-other-account': denyAllButBreakGlass(),
  // break-glass, exempt from the policy, may write where no one else may
  'write-reports-top': denyAllButBreakGlass({ breakGlass: APPENDS }),
  'multipart-upload': without('ingest', denyAllButBreakGlass()),
  'multipart-upload-journal': without('ingest', denyAllButBreakGlass()),
  'copy-into-reports': denyAllButBreakGlass(),
  // tags and ACLs
  'tag-object': denyAllButBreakGlass(),
  'untag-object': denyAllButBreakGlass(),
  'object-acl': denyAllButBreakGlass(),
  'bucket-acl': denyAllButBreakGlass(),
  // the bucket itself
  'replace-policy': denyAllButBreakGlass(),
  'delete-policy': denyAllButBreakGlass(),
  lifecycle: denyAllButBreakGlass(),
  'suspend-versioning': denyAllButBreakGlass(),
  'weaken-default-lock': denyAllButBreakGlass(),
  cors: denyAllButBreakGlass(),
  'delete-cors': denyAllButBreakGlass(),
  replication: {
    primaryAdmin: REPLICATION_UNSUPPORTED,
    ingest: REPLICATION_UNSUPPORTED,
    restoreReader: REPLICATION_UNSUPPORTED,
    auditor: REPLICATION_UNSUPPORTED,
    evidenceWriter: REPLICATION_UNSUPPORTED,
    backupAdmin: REPLICATION_UNSUPPORTED,
  },
  'delete-bucket': denyAllButBreakGlass({
    breakGlass: { kind: 'refused', status: 409, why: 'BucketNotEmpty: locked versions cannot go, so neither can the bucket' },
  }),
  // reads and listings (allowed where a role needs them, denied elsewhere)
  'read-object': denyAllButBreakGlass({ restoreReader: ALLOWED, breakGlass: ALLOWED }),
  'read-journal': denyAllButBreakGlass({ restoreReader: ALLOWED, auditor: ALLOWED, backupAdmin: ALLOWED }),
  'read-report': denyAllButBreakGlass({ auditor: ALLOWED, backupAdmin: ALLOWED }),
  'list-vault': denyAllButBreakGlass({ backupAdmin: ALLOWED }),
  'list-account-objects': denyAllButBreakGlass({ restoreReader: ALLOWED, auditor: ALLOWED, backupAdmin: ALLOWED }),
  'list-account-reports': denyAllButBreakGlass({ auditor: ALLOWED, backupAdmin: ALLOWED }),
  'read-bucket-policy': denyAllButBreakGlass({ auditor: ALLOWED, backupAdmin: ALLOWED }),
  // reaching a vault role at all
  'assume-ingest': { primaryAdmin: TRUST },
  'assume-restore-reader': { primaryAdmin: TRUST },
  'assume-auditor': { primaryAdmin: TRUST },
  'assume-evidence-writer': { primaryAdmin: TRUST },
};

/** The denies an attempt relies on: its action's, less those that exempt the principal; none where it should succeed. */
function reliesOn(def: ActionDef, principal: PrincipalId, expected: Expected): DenyName[] {
  if (principal === 'breakGlass' || expected.kind === 'allowed') return [];
  return def.deniedBy.filter((deny) => EXEMPT[deny] !== principal);
}

/** The whole catalogue, principal by principal in PRINCIPALS order. */
export function drillCatalogue(): DrillAttempt[] {
  const attempts: DrillAttempt[] = [];
  for (const principal of PRINCIPAL_IDS) {
    for (const action of Object.keys(MATRIX) as ActionId[]) {
      const expected = MATRIX[action][principal];
      if (!expected) continue;
      const def = ACTIONS[action];
      attempts.push({
        principal,
        action,
        attempt: def.attempt,
        category: def.category,
        expected,
        deniedBy: reliesOn(def, principal, expected),
        ...(def.needs ? { needs: def.needs } : {}),
        run: (ctx) => def.run(ctx, principal),
      });
    }
  }
  return attempts;
}

/** The attempts that can run against this context (those on a report need a filed report). */
export function applicable(attempts: readonly DrillAttempt[], ctx: Pick<DrillContext, 'targets'>): DrillAttempt[] {
  return attempts.filter((a) => a.needs !== 'report' || ctx.targets.report !== undefined);
}
