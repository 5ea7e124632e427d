/**
 * The verifier running against a local deployment, wired as the verify Lambda is: the vault read as the
 * auditor and the report filed as the evidence writer (both reached by real STS AssumeRole from the verify
 * function's stand-in), the sources read as that stand-in, and the drill run as the restore function's
 * stand-in through the restore reader. What RGW cannot show (RGW_ADAPTATIONS) or has no server for is
 * reported SKIPPED with the reason, never passed.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { denyDigests } from '../contract/policy-digest';
import type { CheckId, VerifyReport, VerifyRequest } from '../contract/verify-report';
import type { VerifyClients, VerifyContext, VerifySettings } from '../lambda/core/verify/context';
import { DEFAULT_RETENTION_SAMPLE } from '../lambda/core/verify/data-checks';
import { runDrill } from '../lambda/core/verify/drill';
import { fileReport, runVerify } from '../lambda/core/verify/verifier';
import type { LocalDeployment } from './provision';
import { RGW_ADAPTATIONS } from './rgw-policy-mapping';
import { assumeVaultRole, clientAs, type VaultSession } from './sessions';

const adaptation = (id: string) => {
  const found = RGW_ADAPTATIONS.find((a) => a.id === id);
  if (!found) throw new Error(`no RGW adaptation '${id}'`);
  return `the local S3 cannot show this (RGW adaptation ${id}: ${found.rgw}); proven on AWS by ${found.awsProof}`;
};

/** What the local S3 cannot evaluate, by check id, with why. */
export function locallyUnavailable(): Partial<Record<CheckId, string>> {
  const noAws = (service: string, proof: string) =>
    `the local S3 has no ${service}; the AWS path is proven with mocks only (${proof})`;
  return {
    'vault.public-access': adaptation('public-access-block'),
    'vault.encryption': adaptation('unknown-action'),
    'backup-vault.lock': noAws('AWS Backup', 'test/unit/core/verify'),
    'backup.recovery-points': noAws('AWS Backup', 'test/unit/core/verify'),
    'sources.events': noAws('EventBridge (the local pipeline delivers source events itself)', 'test/unit/core/verify'),
  };
}

export function localVerifySettings(deployment: LocalDeployment, overrides: Partial<VerifySettings> = {}): VerifySettings {
  const { primary, config } = deployment;
  const account = config.primaryAccounts[0];
  const drill = account?.drill;
  const drillTarget = drill ? primary.restoreTargets.find((t) => t.configured === drill.targetBucket) : undefined;
  return {
    deploymentName: deployment.name,
    where: `local deployment ${deployment.name} at ${deployment.endpoint}`,
    primaryAccount: primary.tenant,
    backupAccount: deployment.backup.tenant,
    vaultBucket: deployment.vault.address,
    retentionDays: deployment.vault.retentionDays,
    rpoMinutes: config.pipeline.rpoMinutes,
    sources: primary.sources.map((s) => ({ bucket: s.name, prefixes: [...(s.prefixes ?? [])] })),
    encryption: { type: 'SSE_S3' },
    // Measured against the policy as applied here (lib/policy's, less the RGW adaptations).
    expectedPolicy: { denies: denyDigests(deployment.bucketPolicy.applied.document), tlsSid: 'DenyInsecureTransport' },
    backupVault: null,
    backupPlan: null,
    retention: DEFAULT_RETENTION_SAMPLE,
    sourceEventsObservable: false,
    drill: drill && drillTarget ? { targetBucket: drillTarget.name, prefix: drill.prefix, sampleSize: drill.sampleSize } : null,
    unavailable: locallyUnavailable(),
    ...overrides,
  };
}

export interface LocalVerifyOptions {
  readonly request?: VerifyRequest;
  /** Replace settings (tests: a scratch vault bucket, a shorter RPO). */
  readonly settings?: Partial<VerifySettings>;
  /** Replace clients (tests: a scratch bucket read as its owner). */
  readonly clients?: Partial<VerifyClients>;
  readonly now?: () => Date;
  readonly random?: () => number;
  /** File the report in the vault as the evidence writer (default true). */
  readonly file?: boolean;
  /** Renders the HTML report (filed beside the JSON). */
  readonly renderHtml: (report: VerifyReport) => string;
  /** Minutes before now the drill restores as of (default: the config's drill.asOfMinutesAgo). */
  readonly drillAsOfMinutesAgo?: number;
}

export interface LocalVerifier {
  run(options: LocalVerifyOptions): Promise<VerifyReport>;
  close(): void;
}

export async function openLocalVerifier(deployment: LocalDeployment): Promise<LocalVerifier> {
  const { primary } = deployment;
  const verifyFunction = primary.functions.verify;
  const sessions: VaultSession[] = [];
  const open = async (kind: 'auditor' | 'evidenceWriter' | 'restoreReader', caller = verifyFunction) => {
    const session = await assumeVaultRole(deployment, kind, { caller, sessionName: `${deployment.name}-verify` });
    sessions.push(session);
    return session.s3;
  };
  const auditor = await open('auditor');
  const writer = await open('evidenceWriter');
  const reader = await open('restoreReader', primary.functions.restore);
  const clients: S3Client[] = [clientAs(deployment, verifyFunction), clientAs(deployment, primary.functions.restore)];
  const [source, restoreTarget] = clients as [S3Client, S3Client];
  return {
    async run(options) {
      const settings = localVerifySettings(deployment, options.settings);
      const now = options.now ?? (() => new Date());
      const random = options.random ?? Math.random;
      const configuredDrill = deployment.config.primaryAccounts[0]?.drill;
      const asOfMinutes = options.drillAsOfMinutesAgo ?? configuredDrill?.asOfMinutesAgo ?? 60;
      const drill = settings.drill;
      const context: VerifyContext = {
        settings,
        clients: { auditorVault: auditor, source, aws: null, ...options.clients },
        now,
        random,
        drill: drill
          ? () =>
              runDrill({
                vault: { client: reader, bucket: deployment.vault.address },
                target: restoreTarget,
                account: primary.tenant,
                sources: settings.sources,
                targetBucket: drill.targetBucket,
                prefix: drill.prefix,
                sampleSize: drill.sampleSize,
                asOf: new Date(now().getTime() - asOfMinutes * 60_000),
                now,
                random,
              })
          : null,
      };
      const report = await runVerify(context, options.request ?? {});
      return options.file === false ? report : fileReport(writer, deployment.vault.address, report, options.renderHtml);
    },
    close() {
      for (const s of sessions) s.s3.destroy();
      for (const c of clients) c.destroy();
    },
  };
}
