import { describeError } from '../../../contract/errors';
import {
  CHECKS,
  type CheckId,
  type CheckResult,
  type CheckRole,
  type CheckStatus,
  FINDINGS_SHOWN,
} from '../../../contract/verify-report';

/*
 * How a check is written and run. A check group fetches what several checks share (one
 * GetObjectLockConfiguration answers three questions) and returns an outcome per id it owns. The
 * runner times it, and turns anything it throws — AccessDenied above all — into a FAIL of each of its
 * checks, naming the role it ran as: a check that could not look has proven nothing.
 */

export interface CheckOutcome {
  readonly status: CheckStatus;
  readonly summary: string;
  readonly evidence?: CheckResult['evidence'];
  /** Every finding (a key, a version, a segment); the report keeps the first FINDINGS_SHOWN and the count. */
  readonly findings?: readonly string[];
  readonly findingCount?: number;
  readonly remediation: string;
}

export interface CheckGroup<C> {
  /** For logs and errors: "vault settings", "journal". */
  readonly name: string;
  readonly ids: readonly CheckId[];
  readonly ranAs: CheckRole;
  run(context: C): Promise<Partial<Record<CheckId, CheckOutcome>>>;
}

export function result(id: CheckId, ranAs: CheckRole, outcome: CheckOutcome, durationMs: number): CheckResult {
  const findings = outcome.findings ?? [];
  return {
    id,
    title: CHECKS[id],
    status: outcome.status,
    summary: outcome.summary,
    evidence: { ...(outcome.evidence ?? {}) },
    findings: findings.slice(0, FINDINGS_SHOWN),
    findingCount: outcome.findingCount ?? findings.length,
    remediation: outcome.remediation,
    ranAs,
    durationMs,
  };
}

/** Runs one group; a throw or a missing outcome becomes a FAIL of the checks concerned, never a PASS. */
export async function runGroup<C>(
  group: CheckGroup<C>,
  context: C,
  wanted: ReadonlySet<CheckId>,
  now: () => number = Date.now,
): Promise<CheckResult[]> {
  const ids = group.ids.filter((id) => wanted.has(id));
  if (ids.length === 0) return [];
  const started = now();
  let outcomes: Partial<Record<CheckId, CheckOutcome>>;
  try {
    outcomes = await group.run(context);
  } catch (error: unknown) {
    const took = now() - started;
    return ids.map((id) =>
      result(
        id,
        group.ranAs,
        {
          status: 'FAIL',
          summary: `the check could not run as the ${group.ranAs} role: ${describeError(error)}`,
          evidence: { error: describeError(error) },
          remediation: `give the ${group.ranAs} role the read the error names (deploy both stacks from the same config), then verify again`,
        },
        took,
      ),
    );
  }
  const took = now() - started;
  return ids.map((id) =>
    result(
      id,
      group.ranAs,
      outcomes[id] ?? {
        status: 'FAIL',
        summary: `the ${group.name} checks returned no outcome for ${id}`,
        remediation: 'a defect in Strongroom: report it; until fixed, treat this check as failed',
      },
      took,
    ),
  );
}

export const pass = (summary: string, remediation: string, evidence?: CheckResult['evidence']): CheckOutcome => ({
  status: 'PASS',
  summary,
  remediation,
  ...(evidence ? { evidence } : {}),
});

export const skipped = (summary: string, remediation: string, evidence?: CheckResult['evidence']): CheckOutcome => ({
  status: 'SKIPPED',
  summary,
  remediation,
  ...(evidence ? { evidence } : {}),
});
