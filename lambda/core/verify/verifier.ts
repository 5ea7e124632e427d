import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { describeError } from '../../../contract/errors';
import {
  CHECK_IDS,
  type CheckId,
  type CheckResult,
  REPORT_FORMAT,
  REPORT_FORMAT_VERSION,
  reportKeys,
  summarize,
  type VerifyReport,
  type VerifyRequest,
} from '../../../contract/verify-report';
import { md5Base64, sha256Base64 } from '../streams';
import { AWS_CHECK_GROUPS } from './aws-checks';
import { type CheckGroup, result, runGroup, skipped } from './check';
import type { VerifyContext } from './context';
import { coverageChecks, retentionCheck } from './data-checks';
import { drillCheck } from './drill';
import { Evidence, type VerifyRun } from './evidence';
import { journalChecks } from './journal-checks';
import { vaultSettingsChecks } from './vault-settings';

/*
 * One verify run: every check group at once over shared evidence, the results in the report's order, and
 * the report filed write-once in the vault by the evidence writer. The same core runs in the verify Lambda
 * and in `strongroom verify` (against AWS through the Lambda, or --local with the stand-ins' credentials).
 */

export const CHECK_GROUPS: readonly CheckGroup<VerifyRun>[] = [
  vaultSettingsChecks,
  retentionCheck,
  coverageChecks,
  journalChecks,
  drillCheck,
  ...AWS_CHECK_GROUPS,
];

export function newReportId(now: Date): string {
  return `v-${now.toISOString().slice(0, 19).replaceAll(':', '').replace('T', '-').toLowerCase()}-${Math.floor(
    Math.random() * 36 ** 4,
  )
    .toString(36)
    .padStart(4, '0')}`;
}

/** The checks a request asks for: all by default, less the drill when told so. */
export function wantedChecks(request: VerifyRequest): Set<CheckId> {
  const wanted = new Set<CheckId>(request.checks ?? CHECK_IDS);
  if (request.drill === false) wanted.delete('drill.restore');
  return wanted;
}

export async function runVerify(
  context: VerifyContext,
  request: VerifyRequest = {},
  groups: readonly CheckGroup<VerifyRun>[] = CHECK_GROUPS,
): Promise<VerifyReport> {
  const startedAt = context.now();
  const settings = {
    ...context.settings,
    retention: request.retention ?? context.settings.retention,
  };
  const wanted = wantedChecks(request);
  const readsEverySegment = [...wanted].some((id) => id.startsWith('journal.'));
  const run: VerifyRun = { ...context, settings, evidence: new Evidence({ ...context, settings }, { readsEverySegment }) };
  // What this server cannot evaluate is reported as such, and never run.
  const unavailable: CheckResult[] = [];
  for (const [id, why] of Object.entries(settings.unavailable) as Array<[CheckId, string]>) {
    if (!wanted.delete(id)) continue;
    const group = groups.find((g) => g.ids.includes(id));
    unavailable.push(
      result(
        id,
        group?.ranAs ?? 'verify',
        skipped(why, 'proven where the service exists: see the README (what is proven where)'),
        0,
      ),
    );
  }
  const ran = (await Promise.all(groups.map((g) => runGroup(g, run, wanted)))).flat();
  const covered = new Set([...ran, ...unavailable].map((c) => c.id));
  const orphans = [...wanted]
    .filter((id) => !covered.has(id))
    .map((id) =>
      result(
        id,
        'verify',
        {
          status: 'FAIL',
          summary: `no check group evaluates ${id}`,
          remediation: 'a defect in Strongroom: report it; until fixed, treat this check as failed',
        },
        0,
      ),
    );
  const checks = [...ran, ...unavailable, ...orphans].sort((a, b) => CHECK_IDS.indexOf(a.id) - CHECK_IDS.indexOf(b.id));
  const finishedAt = context.now();
  let from: string | null = null;
  try {
    const { versions } = await run.evidence.vaultVersions();
    const oldest = versions.reduce<Date | null>((min, v) => (min === null || v.writtenAt < min ? v.writtenAt : min), null);
    from = oldest ? oldest.toISOString() : null;
  } catch {
    // The listing failed already inside a check, which reports it; the range is then unknown.
  }
  return {
    format: REPORT_FORMAT,
    formatVersion: REPORT_FORMAT_VERSION,
    reportId: newReportId(startedAt),
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    covers: { from, to: finishedAt.toISOString() },
    deployment: {
      name: settings.deploymentName,
      where: settings.where,
      primaryAccount: settings.primaryAccount,
      backupAccount: settings.backupAccount,
      vaultBucket: settings.vaultBucket,
    },
    config: {
      retentionDays: settings.retentionDays,
      rpoMinutes: settings.rpoMinutes,
      sources: settings.sources.map((s) => ({ bucket: s.bucket, prefixes: [...s.prefixes] })),
      backupVault: settings.backupVault
        ? {
            name: settings.backupVault.name,
            minRetentionDays: settings.backupVault.minRetentionDays,
            maxRetentionDays: settings.backupVault.maxRetentionDays,
            changeableForDays: settings.backupVault.changeableForDays,
          }
        : null,
      encryption: settings.encryption.type,
      retentionSample: settings.retention === 'full' ? { mode: 'full', size: 0 } : { mode: 'sample', size: settings.retention },
      drill: settings.drill ? { ...settings.drill } : null,
    },
    summary: summarize(checks),
    checks,
    filed: null,
    filingError: null,
  };
}

/**
 * Files the report in the vault as the evidence writer: the HTML, then the JSON that names it. Both are
 * written once (If-None-Match) and take the bucket's COMPLIANCE retention; each carries Content-MD5 and
 * its SHA-256. A filing failure is returned in the report (filingError), never thrown: the caller still
 * has the evidence, and counts the run as failed.
 */
export async function fileReport(
  writer: S3Client,
  vaultBucket: string,
  report: VerifyReport,
  renderHtml: (report: VerifyReport) => string,
): Promise<VerifyReport> {
  const keys = reportKeys(report.deployment.primaryAccount, report.reportId, new Date(report.startedAt));
  const filed: VerifyReport = { ...report, filed: keys, filingError: null };
  const put = (Key: string, body: string, ContentType: string) => {
    const Body = Buffer.from(body, 'utf8');
    return writer.send(
      new PutObjectCommand({
        Bucket: vaultBucket,
        Key,
        Body,
        ContentType,
        ContentMD5: md5Base64(Body),
        ChecksumSHA256: sha256Base64(Body),
        IfNoneMatch: '*',
      }),
    );
  };
  try {
    await put(keys.html, renderHtml(filed), 'text/html; charset=utf-8');
    await put(keys.json, `${JSON.stringify(filed, null, 2)}\n`, 'application/json');
    return filed;
  } catch (error: unknown) {
    return { ...report, filed: null, filingError: `the report could not be filed in the vault: ${describeError(error)}` };
  }
}
