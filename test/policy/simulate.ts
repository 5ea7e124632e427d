import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type BlockedReason,
  type EvaluationResult,
  getDenialReasons,
  getGrantReasons,
  runSimulation,
  type Simulation,
  type SimulationIdentityPolicy,
} from '@cloud-copilot/iam-simulate';
import { parseConfig } from '../../lib/config/load';
import { type PolicyDocument, policy } from '../../lib/policy/document';
import { arns, type VaultPolicyModel, vaultPolicyModel } from '../../lib/policy/model';
import { type VaultRoleKind, vaultRolePermissions } from '../../lib/policy/vault-roles';

/*
 * The one place where the offline proofs build requests for @cloud-copilot/iam-simulate.
 *
 * The simulator fills no context key itself, and a key that AWS would send but the request lacks
 * makes every `ArnNotEquals aws:PrincipalArn` deny fire (a false denial: the test would then pass
 * for the wrong reason). So every actor carries the global keys AWS derives from the caller, and
 * every scenario states the keys its request adds (headers, list prefix, external id).
 */

export const BACKUP_ACCOUNT = '111111111111';
export const PRIMARY_ACCOUNT = '222222222222';
/** A second primary account, so that per-account isolation is proven against a real neighbour's grants. */
export const OTHER_PRIMARY_ACCOUNT = '333333333333';
/** An account outside the organization. */
export const UNRELATED_ACCOUNT = '999999999999';
export const ORG_ID = 'o-strongroom01';
const ORG_ROOT = 'r-strm';
/** A fixed clock keeps the date-typed keys deterministic. */
const NOW = '2026-01-15T12:00:00Z';

/** The example config, plus a second primary account (the example has one; isolation needs two). */
export function exampleModel(): VaultPolicyModel {
  const example = JSON.parse(readFileSync(join(__dirname, '../../config/strongroom.example.json'), 'utf8'));
  const second = { accountId: OTHER_PRIMARY_ACCOUNT, name: 'staging', sources: [{ bucket: 'acme-staging-data' }] };
  return vaultPolicyModel(parseConfig({ ...example, primaryAccounts: [...example.primaryAccounts, second] }, 'example'));
}

export const model = exampleModel();

// ---- actors -------------------------------------------------------------------------------------

/** Who sends the request: the signed principal, its identity policies and the keys AWS derives from it. */
export interface Actor {
  /** Short name used in test titles. */
  readonly label: string;
  /** The ARN the request is signed as: a role session, an IAM user or an account's root user. */
  readonly principal: string;
  readonly account: string;
  readonly identityPolicies: SimulationIdentityPolicy[];
  /** Global condition keys that AWS sets for every request of this caller. */
  readonly context: Record<string, string>;
}

/** Like AWS's AdministratorAccess: an intruder's or an administrator's identity. */
export const ADMINISTRATOR_ACCESS: SimulationIdentityPolicy = {
  name: 'AdministratorAccess',
  policy: policy({ Sid: 'AdministratorAccess', Effect: 'Allow', Action: '*', Resource: '*' }),
};

function callerContext(account: string, principalArn: string, type: string, userId: string): Record<string, string> {
  const inOrg = account !== UNRELATED_ACCOUNT;
  return {
    'aws:PrincipalArn': principalArn,
    'aws:PrincipalAccount': account,
    'aws:PrincipalType': type,
    'aws:userid': userId,
    ...(inOrg ? { 'aws:PrincipalOrgID': ORG_ID, 'aws:PrincipalOrgPaths': `${ORG_ID}/${ORG_ROOT}/` } : {}),
    'aws:PrincipalIsAWSService': 'false',
    'aws:ViaAWSService': 'false',
    // A scenario about plain HTTP overrides this.
    'aws:SecureTransport': 'true',
    'aws:RequestedRegion': model.region,
    'aws:CurrentTime': NOW,
    'aws:EpochTime': String(Date.parse(NOW) / 1000),
    'aws:SourceIp': '203.0.113.10',
  };
}

/** A session of an IAM role: signed as the STS assumed-role ARN, `aws:PrincipalArn` is the role's ARN. */
export function roleSession(
  label: string,
  account: string,
  roleName: string,
  identityPolicies: SimulationIdentityPolicy[],
  sessionName = 'session',
): Actor {
  const roleArn = arns.role(model, account, roleName);
  const roleId = `AROA${roleName.toUpperCase().replace(/[^A-Z0-9]/g, '')}`.slice(0, 21);
  return {
    label,
    principal: `arn:${model.partition}:sts::${account}:assumed-role/${roleName}/${sessionName}`,
    account,
    identityPolicies,
    context: {
      ...callerContext(account, roleArn, 'AssumedRole', `${roleId}:${sessionName}`),
      'aws:TokenIssueTime': NOW,
      'aws:MultiFactorAuthPresent': 'false',
    },
  };
}

export function iamUser(label: string, account: string, userName: string, identityPolicies: SimulationIdentityPolicy[]): Actor {
  const userArn = `arn:${model.partition}:iam::${account}:user/${userName}`;
  return {
    label,
    principal: userArn,
    account,
    identityPolicies,
    context: { ...callerContext(account, userArn, 'User', `AIDA${userName.toUpperCase()}`), 'aws:username': userName },
  };
}

/**
 * An account's root user. IAM does not evaluate identity policies for root: it may do everything
 * that no SCP or resource policy denies, which a `*` identity policy stands in for here.
 */
export function rootUser(label: string, account: string): Actor {
  const rootArn = arns.accountRoot(model, account);
  return {
    label,
    principal: rootArn,
    account,
    identityPolicies: [
      { name: 'RootUserImplicitPermissions', policy: policy({ Sid: 'RootUser', Effect: 'Allow', Action: '*', Resource: '*' }) },
    ],
    context: callerContext(account, rootArn, 'Account', account),
  };
}

// The cast of the proofs. Vault roles carry the identity policy the stack attaches to them.

const vaultRole = (kind: VaultRoleKind, account: string, session: string, label: string) =>
  roleSession(
    label,
    BACKUP_ACCOUNT,
    model.roleNames[kind](account),
    [{ name: kind, policy: vaultRolePermissions(model, kind, account) }],
    session,
  );

export const actors = {
  ingest: vaultRole('ingest', PRIMARY_ACCOUNT, 'strongroom-copier', 'ingest(222)'),
  /** The neighbour account's ingest role: isolation between accounts is proven against it. */
  otherIngest: vaultRole('ingest', OTHER_PRIMARY_ACCOUNT, 'strongroom-copier', 'ingest(333)'),
  restoreReader: vaultRole('restoreReader', PRIMARY_ACCOUNT, 'strongroom-restore', 'restore-reader(222)'),
  auditor: vaultRole('auditor', PRIMARY_ACCOUNT, 'strongroom-verify', 'auditor(222)'),
  primaryAdmin: roleSession('primary Admin', PRIMARY_ACCOUNT, 'Admin', [ADMINISTRATOR_ACCESS], 'intruder'),
  primaryRoot: rootUser('primary root', PRIMARY_ACCOUNT),
  backupAdmin: roleSession('backup Admin', BACKUP_ACCOUNT, 'Admin', [ADMINISTRATOR_ACCESS], 'insider'),
  backupAdminUser: iamUser('backup IAM user alice', BACKUP_ACCOUNT, 'alice', [ADMINISTRATOR_ACCESS]),
  backupRoot: rootUser('backup root', BACKUP_ACCOUNT),
  deployRole: roleSession('deploy role', BACKUP_ACCOUNT, model.roleNames.deploy, [ADMINISTRATOR_ACCESS], 'AWSCloudFormation'),
  breakGlass: roleSession('break-glass', BACKUP_ACCOUNT, model.roleNames.breakGlass, [ADMINISTRATOR_ACCESS], 'oncall'),
} as const;

// ---- resources ----------------------------------------------------------------------------------

export const vaultBucketArn = arns.bucket(model, model.vaultBucket);
/** An object of the vault bucket, by key (e.g. `objects/222222222222/src/k`). */
export const vaultObject = (key: string) => `${vaultBucketArn}/${key}`;
export const backupVaultArn = arns.backupVault(model, BACKUP_ACCOUNT, model.backupVault);
const regional = (service: string) => `arn:${model.partition}:${service}:${model.region}:${BACKUP_ACCOUNT}`;
export const recoveryPointArn = `${regional('backup')}:recovery-point:1EB3B5E7-9EB0-435A-A80B-108B488B0D45`;
export const vaultKeyArn = `${regional('kms')}:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`;

/** The policies of the backup account's place in the organization: FullAWSAccess everywhere, plus ours. */
export function backupAccountScps(...scps: { name: string; policy: PolicyDocument }[]): Simulation['serviceControlPolicies'] {
  const fullAccess = {
    name: 'FullAWSAccess',
    policy: policy({ Sid: 'FullAWSAccess', Effect: 'Allow', Action: '*', Resource: '*' }),
  };
  return [
    { orgIdentifier: ORG_ROOT, policies: [fullAccess] },
    { orgIdentifier: BACKUP_ACCOUNT, policies: [fullAccess, ...scps] },
  ];
}

// ---- running one request -----------------------------------------------------------------------

export interface Request {
  readonly actor: Actor;
  readonly action: string;
  readonly resource: string;
  /** Keys this particular request adds (headers, list prefix, external id) or overrides. */
  readonly context?: Record<string, string | string[]>;
  readonly resourceAccount?: string;
  readonly resourcePolicy?: PolicyDocument;
  readonly serviceControlPolicies?: Simulation['serviceControlPolicies'];
}

/**
 * What decided a request, as `<layer>:<Sid>` strings: the granting statements when allowed, the
 * denying statements when explicitly denied, `implicit:<layer>` for each layer that granted nothing.
 * `blockedBy` names the layers that stopped a request which the others would have allowed.
 */
export interface Outcome {
  readonly result: EvaluationResult;
  readonly because: string[];
  readonly blockedBy: BlockedReason[];
}

export async function simulate(request: Request): Promise<Outcome> {
  const requestContext = request.context ?? {};
  const result = await runSimulation(
    {
      request: {
        principal: request.actor.principal,
        action: request.action,
        resource: { resource: request.resource, accountId: request.resourceAccount ?? BACKUP_ACCOUNT },
        contextVariables: { ...request.actor.context, ...requestContext },
      },
      identityPolicies: request.actor.identityPolicies,
      serviceControlPolicies: request.serviceControlPolicies ?? [],
      resourceControlPolicies: [],
      resourcePolicy: request.resourcePolicy,
    },
    { simulationMode: 'Strict' },
  );
  if (result.resultType !== 'single') {
    throw new Error(`expected one evaluated request, got ${JSON.stringify(result, null, 2)}`);
  }
  // A key the scenario relies on but the simulator dropped as not applicable would make it vacuous.
  const dropped = (result.result.ignoredContextKeys ?? []).filter((key) => key in requestContext);
  if (dropped.length > 0) {
    throw new Error(`context keys ${dropped.join(', ')} do not apply to ${request.action} on ${request.resource}`);
  }
  const { analysis } = result.result;
  const name = (layer: string, sid: string | undefined, index: number) => `${layer}:${sid ?? `#${index}`}`;
  let because: string[];
  if (result.overallResult === 'Allowed') {
    because = getGrantReasons(analysis).map((g) => name(g.policyType, g.statementId, g.statementIndex));
  } else {
    const denials = getDenialReasons(analysis);
    because =
      result.overallResult === 'ExplicitlyDenied'
        ? denials.flatMap((d) => (d.denialType === 'Explicit' ? [name(d.policyType, d.statementId, d.statementIndex)] : []))
        : denials.map((d) => `implicit:${d.policyType}`);
  }
  return {
    result: result.overallResult,
    because: [...new Set(because)].sort(),
    blockedBy: [...(analysis.blockedBy ?? [])].sort(),
  };
}

// ---- scenario tables ----------------------------------------------------------------------------

/** One row of a proof table. */
export interface Scenario {
  readonly principal: Actor;
  readonly action: string;
  readonly resource: string;
  readonly context?: Record<string, string | string[]>;
  readonly expected: EvaluationResult;
  /**
   * The deciding statements, as in Outcome.because. `<layer>:*` matches any statement of that
   * layer: used only where the statement that should decide does not exist yet (a reported finding).
   */
  readonly reason: string | string[];
  /** Layers that stopped an otherwise allowed request; none unless stated. */
  readonly blockedBy?: BlockedReason[];
  /** Why this row matters, when the title alone does not say it. */
  readonly note?: string;
}

const shortResource = (arn: string) =>
  arn.startsWith(vaultBucketArn) ? `vault${arn.slice(vaultBucketArn.length) || ' bucket'}` : arn.replace(/^arn:aws:/, '');

export function title(s: Scenario): string {
  const context = Object.entries(s.context ?? {})
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('|') : v}`)
    .join(' ');
  const reason = Array.isArray(s.reason) ? s.reason.join(' + ') : s.reason;
  const request = `${s.principal.label}: ${s.action} on ${shortResource(s.resource)}${context ? ` [${context}]` : ''}`;
  return `${request} -> ${s.expected} (${reason})${s.note ? ` - ${s.note}` : ''}`;
}

/** The rows as jest `each` cases, titled so that a failure names the scenario. */
export const cases = (rows: readonly Scenario[]): [string, Scenario][] => rows.map((row) => [title(row), row]);

/** Runs one row against the given documents and checks the result, the deciding statements and the blocking layers. */
export async function prove(
  row: Scenario,
  documents: {
    resourcePolicy?: PolicyDocument;
    serviceControlPolicies?: Simulation['serviceControlPolicies'];
    resourceAccount?: string;
  },
): Promise<void> {
  const outcome = await simulate({
    ...documents,
    actor: row.principal,
    action: row.action,
    resource: row.resource,
    context: row.context,
  });
  const expectedReasons = (Array.isArray(row.reason) ? row.reason : [row.reason]).slice().sort();
  const matches = (wanted: string, actual: string) =>
    wanted.endsWith(':*') ? actual.startsWith(wanted.slice(0, -1)) : wanted === actual;
  // When the reasons match (wildcards included) compare the expected list with itself, so that a
  // failure shows the actual statements against the expected ones and nothing else.
  const because =
    expectedReasons.every((w) => outcome.because.some((a) => matches(w, a))) &&
    outcome.because.every((a) => expectedReasons.some((w) => matches(w, a)))
      ? expectedReasons
      : outcome.because;
  expect({ result: outcome.result, because, blockedBy: outcome.blockedBy }).toEqual({
    result: row.expected,
    because: expectedReasons,
    blockedBy: [...(row.blockedBy ?? [])].sort(),
  });
}

/** A copy of a document without the statement of that Sid (throws if absent, so a guard never proves nothing). */
export function withoutStatement(document: PolicyDocument, sid: string): PolicyDocument {
  if (!document.Statement.some((s) => s.Sid === sid)) {
    throw new Error(`no statement "${sid}" in ${document.Statement.map((s) => s.Sid).join(', ')}`);
  }
  return { ...document, Statement: document.Statement.filter((s) => s.Sid !== sid) };
}
