import { writeFileSync } from 'node:fs';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { type Command, Option } from 'commander';
import { describeError } from '../contract/errors';
import { CHECK_IDS, type CheckId, type VerifyReport, VerifyReportSchema, type VerifyRequest } from '../contract/verify-report';
import { renderReportHtml } from '../lambda/core/verify/report-html';
import { primaryFunctionName } from '../lib/policy/primary-roles';
import { loadLocalDeployment } from '../local/deployment-file';
import { openLocalVerifier } from '../local/local-verify';
import { Problems } from './args';
import { AbortedError, CliUsageError } from './errors';
import { EXIT, EXIT_CODES_HELP } from './exit-codes';
import { columns, formatElapsed } from './format';
import type { CliIo } from './io';
import { lambdaClient } from './lambda-backend';
import { deploymentFileFor } from './local-backend';
import { formatRelative } from './time';

/*
 * strongroom verify: the verify core against a saved local deployment (--local: the auditor, the evidence
 * writer and the drill's roles reached as the functions reach them), or the deployed verify Lambda (which
 * runs the same core and files the report). A table of checks, the failing ids first in the summary, the
 * report written where asked (--json [file], --html <file>); exit 3 on any FAIL.
 */

export interface VerifyFlags {
  readonly local?: boolean;
  readonly deployment?: string;
  readonly check?: string[];
  readonly retention?: string;
  readonly drill?: boolean;
  readonly file?: boolean;
  readonly json?: string | boolean;
  readonly html?: string;
  readonly yes?: boolean;
  readonly function?: string;
  readonly name?: string;
  readonly profile?: string;
  readonly region?: string;
}

export interface VerifyArgs {
  readonly request: VerifyRequest;
  readonly local?: { readonly deployment?: string };
  readonly aws?: { readonly function: string; readonly profile?: string; readonly region?: string };
  /** File the report in the vault (locally; the deployed function always files it). */
  readonly file: boolean;
  readonly json: { readonly to: 'stdout' } | { readonly to: 'file'; readonly path: string } | null;
  readonly html: string | null;
  readonly yes: boolean;
}

const CHECKS_EXPECTED = `a check id: one of ${CHECK_IDS.join(', ')}`;

export function parseVerifyArgs(flags: VerifyFlags): VerifyArgs {
  const problems = new Problems();
  const checks: CheckId[] = [];
  for (const id of flags.check ?? []) {
    if ((CHECK_IDS as string[]).includes(id)) checks.push(id as CheckId);
    else problems.add('--check', id, CHECKS_EXPECTED);
  }
  let retention: VerifyRequest['retention'];
  if (flags.retention !== undefined) {
    const n = Number(flags.retention);
    if (flags.retention === 'full') retention = 'full';
    else if (/^\d+$/.test(flags.retention) && n >= 1 && n <= 1_000_000) retention = n;
    else problems.add('--retention', flags.retention, '"full" (every version) or a sample size from 1 to 1000000');
  }
  const awsOnly = { function: flags.function, name: flags.name, profile: flags.profile, region: flags.region };
  if (flags.local) {
    for (const [option, value] of Object.entries(awsOnly))
      if (value !== undefined) problems.add(`--${option}`, value, 'no value with --local (it is for the deployed verify Lambda)');
  } else {
    if (flags.deployment !== undefined)
      problems.add('--deployment', flags.deployment, 'only with --local (a local deployment file)');
    if (flags.file === false)
      problems.add('--no-file', 'given', 'only with --local: the deployed verify function always files its report');
    if (flags.region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(flags.region))
      problems.add('--region', flags.region, 'an AWS region such as "eu-west-1"');
  }
  if (flags.json === true && flags.html === '-') problems.add('--html', '-', 'a file (stdout holds the --json document)');
  problems.throwIfAny();
  const request: VerifyRequest = {
    ...(checks.length > 0 ? { checks } : {}),
    ...(retention !== undefined ? { retention } : {}),
    ...(flags.drill === false ? { drill: false } : {}),
  };
  return {
    request,
    ...(flags.local
      ? { local: flags.deployment !== undefined ? { deployment: flags.deployment } : {} }
      : {
          aws: {
            function: flags.function ?? primaryFunctionName(flags.name ?? 'strongroom', 'verify'),
            ...(flags.profile ? { profile: flags.profile } : {}),
            ...(flags.region ? { region: flags.region } : {}),
          },
        }),
    file: flags.local ? flags.file !== false : true,
    json:
      flags.json === undefined || flags.json === false
        ? null
        : flags.json === true
          ? { to: 'stdout' }
          : { to: 'file', path: flags.json },
    html: flags.html ?? null,
    yes: flags.yes === true,
  };
}

const MARK: Record<string, string> = { PASS: 'PASS', WARN: 'WARN', FAIL: 'FAIL', SKIPPED: 'SKIP' };

/** The table and the summary, for people. */
export function formatReport(report: VerifyReport, now: Date): string[] {
  const { summary } = report;
  const head =
    summary.status === 'FAIL'
      ? `FAIL: ${summary.fail} failing (${summary.failing.join(', ')})`
      : summary.status === 'WARN'
        ? `WARN: nothing failing, ${summary.warn} warning`
        : 'PASS: every check that ran passed';
  const lines = [
    `${head} · ${summary.pass} pass · ${summary.warn} warn · ${summary.skipped} skipped`,
    `${report.deployment.where}, vault ${report.deployment.vaultBucket}; ran ${report.startedAt} (${formatRelative(new Date(report.startedAt), now)}) for ${formatElapsed(Date.parse(report.finishedAt) - Date.parse(report.startedAt))}`,
    '',
    ...columns([
      ['status', 'check', 'as', 'what was found'],
      ...report.checks.map((c) => [MARK[c.status] ?? c.status, c.id, c.ranAs, c.summary]),
    ]),
  ];
  const problems = report.checks.filter((c) => c.status === 'FAIL' || c.status === 'WARN');
  for (const c of problems) {
    lines.push('', `${MARK[c.status]} ${c.id}: ${c.summary}`);
    for (const f of c.findings) lines.push(`  - ${f}`);
    if (c.findingCount > c.findings.length) lines.push(`  … and ${c.findingCount - c.findings.length} more`);
    lines.push(`  what to do: ${c.remediation}`);
  }
  lines.push(
    '',
    report.filed
      ? `report filed in the vault (write-once, locked): ${report.filed.json} and ${report.filed.html}`
      : report.filingError
        ? `report NOT filed: ${report.filingError}`
        : 'report not filed (--no-file)',
  );
  return lines;
}

async function invokeVerify(aws: NonNullable<VerifyArgs['aws']>, request: VerifyRequest): Promise<VerifyReport> {
  const client = lambdaClient(aws, 1);
  try {
    const out = await client.send(
      new InvokeCommand({ FunctionName: aws.function, Payload: Buffer.from(JSON.stringify(request), 'utf8') }),
    );
    const text = out.Payload ? Buffer.from(out.Payload).toString('utf8') : '';
    if (out.FunctionError) throw new Error(`the verify function failed (${out.FunctionError}): ${text.slice(0, 500)}`);
    const parsed = VerifyReportSchema.safeParse(JSON.parse(text));
    if (!parsed.success)
      throw new Error(`the verify function answered something that is not a verify report: ${parsed.error.issues[0]?.message}`);
    return parsed.data;
  } finally {
    client.destroy();
  }
}

export async function verifyCommand(args: VerifyArgs, io: CliIo): Promise<number> {
  const say = (text: string) => (args.json?.to === 'stdout' ? io.err(`${text}\n`) : io.out(`${text}\n`));
  const checks = args.request.checks?.join(', ') ?? 'every check';
  const where = args.local ? 'the local deployment' : `the deployed function ${args.aws?.function}`;
  say(`verify: ${checks}${args.request.drill === false ? ', no drill' : ''}, run by ${where}`);
  if (args.file) {
    say('the report will be filed in the vault under reports/<account>/: write-once, kept for the vault retention');
    if (!args.yes) {
      if (!io.stdinIsTTY)
        throw CliUsageError.of(
          '--yes',
          '(missing)',
          '--yes to file the report without a prompt (stdin is not a terminal), or --local --no-file',
        );
      const answer = await io.prompt('File the report in the vault? [y/N] ');
      if (!/^y(es)?$/i.test(answer?.trim() ?? ''))
        throw new AbortedError('not filed: declined at the prompt, nothing was written');
    }
  }
  let report: VerifyReport;
  if (args.local) {
    const deployment = await loadLocalDeployment(await deploymentFileFor(args.local.deployment, io.env));
    const verifier = await openLocalVerifier(deployment);
    try {
      report = await verifier.run({ request: args.request, renderHtml: renderReportHtml, file: args.file });
    } finally {
      verifier.close();
    }
  } else report = await invokeVerify(args.aws as NonNullable<VerifyArgs['aws']>, args.request);

  const write = (path: string, text: string, what: string) => {
    try {
      writeFileSync(path, text);
    } catch (error: unknown) {
      throw CliUsageError.of(what, JSON.stringify(path), `a file that can be written: ${describeError(error)}`);
    }
  };
  if (args.html) write(args.html, renderReportHtml(report), '--html');
  if (args.json?.to === 'file') write(args.json.path, `${JSON.stringify(report, null, 2)}\n`, '--json');
  if (args.json?.to === 'stdout') io.out(`${JSON.stringify(report, null, 2)}\n`);
  else for (const l of formatReport(report, io.now())) io.out(`${l}\n`);
  if (args.html) say(`HTML report: ${args.html}`);
  return report.summary.status === 'FAIL' || report.filingError ? EXIT.restoreFailures : EXIT.ok;
}

const VERIFY_HELP = `
What each check proves, and the role it runs as, is in the README (Verify).

Examples:
  strongroom verify --local --yes --html verify.html
  strongroom verify --local --no-file --check coverage.copies --check freshness.rpo
  strongroom verify --profile prod --region eu-west-1 --json report.json --yes

${EXIT_CODES_HELP}
`;

export function verifyCommands(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('verify')
    .summary('prove the backups are complete, fresh, locked and restorable: checks, a report filed in the vault')
    .description(
      "Run the verify checks (vault lock, versioning, policy, encryption, every version's retention, coverage and " +
        'SHA-256 against the sources, freshness against the RPO, the journal and its seals, AWS Backup, a restore ' +
        'drill), print PASS / WARN / FAIL / SKIPPED per check with the evidence, and file the JSON and HTML report ' +
        'write-once in the vault.',
    )
    .addOption(new Option('--check <id...>', 'only these checks (repeatable); default every check'))
    .addOption(
      new Option('--retention <full|n>', 'retention of every vault version ("full") or a uniform sample of n (default 500)'),
    )
    .addOption(new Option('--no-drill', 'skip the restore drill'))
    .addOption(new Option('--json [file]', 'the report as JSON: to the file, or on stdout'))
    .addOption(new Option('--html <file>', 'write the self-contained HTML report to this file'))
    .addOption(new Option('--yes', 'file the report without asking'))
    .addOption(new Option('--local', 'verify a saved local deployment'))
    .addOption(new Option('--deployment <file>', 'with --local: the deployment file; default the latest on the local S3'))
    .addOption(new Option('--no-file', 'with --local: do not file the report in the vault'))
    .addOption(new Option('--function <name>', 'the verify function; default <name>-verify'))
    .addOption(new Option('--name <prefix>', 'the deployment name prefix; default strongroom'))
    .addOption(new Option('--profile <profile>', 'AWS profile of the primary account'))
    .addOption(new Option('--region <region>', 'AWS region of the primary account'))
    .addHelpText('after', VERIFY_HELP)
    .action(async (flags: VerifyFlags) => {
      setExit(await verifyCommand(parseVerifyArgs(flags), io));
    });
}
