/**
 * A verify run as `strongroom verify --local` runs it (the vault read as the auditor, the sources as the
 * verify function's stand-in, both by real STS), limited to the checks asked for, the report not filed.
 */
import type { CheckId } from '../../contract/verify-report';
import { loadLocalDeployment } from '../../local/deployment-file';
import { openLocalVerifier } from '../../local/local-verify';
import { answer, childInput, residentBytes } from './io';

export interface VerifyChildInput {
  readonly deploymentFile: string;
  readonly checks: readonly CheckId[];
  readonly retention: 'full' | number;
}

export interface VerifyChildOutput {
  readonly seconds: number;
  /** Check id -> status, and the evidence each check reported. */
  readonly statuses: Record<string, string>;
  readonly evidence: Record<string, unknown>;
  readonly peakRssBytes: number;
}

answer(async () => {
  const input = childInput<VerifyChildInput>();
  const deployment = await loadLocalDeployment(input.deploymentFile);
  const verifier = await openLocalVerifier(deployment);
  const started = performance.now();
  const report = await verifier.run({
    request: { checks: [...input.checks], retention: input.retention, drill: false },
    file: false,
    renderHtml: () => '',
  });
  const seconds = (performance.now() - started) / 1000;
  verifier.close();
  return {
    seconds,
    statuses: Object.fromEntries(report.checks.map((c) => [c.id, c.status])),
    evidence: Object.fromEntries(report.checks.map((c) => [c.id, c.evidence ?? null])),
    peakRssBytes: residentBytes('VmHWM'),
  } satisfies VerifyChildOutput;
});
