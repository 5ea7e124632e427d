import { Template } from 'aws-cdk-lib/assertions';
import type { StrongroomConfig } from '../../lib/config/schema';
import { ProtectedAccountStack } from '../../lib/stacks/protected-account-stack';
import { NO_BUNDLING, testApp } from '../support/app';
import { twoAccountConfig } from '../support/config';
import { synthVaultStack } from '../support/synth';

/*
 * The contract between the two stacks. VaultStack (backup account) and ProtectedAccountStack (each
 * primary account) deploy into different accounts and never reference each other: each computes
 * names from the config. This test reads both synthesized templates, and only the templates, and
 * checks that every name, external id and ARN one side trusts or grants is what the other side
 * creates or uses. Two primary accounts, so that a role of one wired to the other fails.
 */

type Json = any;
const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

const config: StrongroomConfig = twoAccountConfig();
const BACKUP = config.backupAccount.accountId;
const vault = synthVaultStack(config).template.toJSON().Resources as Record<string, Json>;
const primaries = config.primaryAccounts.map((account) => {
  const app = testApp(NO_BUNDLING);
  const stack = new ProtectedAccountStack(app, `StrongroomProtected-${account.name}`, {
    env: { account: account.accountId, region: config.region },
    config,
    primaryAccountId: account.accountId,
  });
  return { account, resources: Template.fromStack(stack).toJSON().Resources as Record<string, Json> };
});

const ofType = (resources: Record<string, Json>, type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

/** Vault roles by name, with their trust statement. */
const vaultRoles = new Map(
  ofType(vault, 'AWS::IAM::Role').map(([, r]) => [
    r.Properties.RoleName as string,
    r.Properties.AssumeRolePolicyDocument.Statement as Json[],
  ]),
);
const vaultBucket = ofType(vault, 'AWS::S3::Bucket').find(([, r]) => r.Properties.ObjectLockEnabled === true)?.[1].Properties
  .BucketName;
const backupVault = ofType(vault, 'AWS::Backup::BackupVault')[0]?.[1].Properties;
const roleArn = (account: string, name: string) => `arn:aws:iam::${account}:role/${name}`;

/** What a primary template's functions are and use: role name, environment, and the role's Allow statements. */
function functionsOf(resources: Record<string, Json>) {
  // Strongroom's functions (CDK's notifications handler, also a Lambda function, has no role in the contract).
  const strongroom = ofType(resources, 'AWS::Lambda::Function').filter(
    ([, fn]) => fn.Properties.Environment?.Variables?.STRONGROOM_NAME,
  );
  return strongroom.map(([, fn]) => {
    const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
    const role = resources[roleId].Properties;
    const statements = [
      ...asList(role.Policies).flatMap((p: Json) => p.PolicyDocument.Statement),
      ...ofType(resources, 'AWS::IAM::Policy')
        .filter(([, p]) => asList(p.Properties.Roles).some((r: Json) => r.Ref === roleId))
        .flatMap(([, p]) => p.Properties.PolicyDocument.Statement),
    ];
    return {
      name: fn.Properties.FunctionName as string,
      roleName: role.RoleName as string,
      rolePath: role.Path as string | undefined,
      env: fn.Properties.Environment.Variables as Record<string, Json>,
      statements: statements as Json[],
    };
  });
}

it('synthesizes the vault side it checks against', () => {
  expect(vaultRoles.size).toBe(4 * config.primaryAccounts.length);
  expect(vaultBucket).toBe(`strongroom-vault-${BACKUP}-eu-west-1`);
  expect(backupVault.BackupVaultName).toBe('strongroom-vault');
});

describe.each(primaries.map((p) => [p.account.name, p] as const))('primary account %s', (_name, { account, resources }) => {
  const functions = functionsOf(resources);
  const primaryRoleArns = new Set(functions.map((f) => roleArn(account.accountId, f.roleName)));

  it('creates the five functions, each with a role at the root path (so its ARN is what the vault trusts)', () => {
    expect(functions.map((f) => f.name).sort()).toEqual([
      'strongroom-copier',
      'strongroom-reconciler',
      'strongroom-restore',
      'strongroom-sealer',
      'strongroom-verify',
    ]);
    for (const f of functions) expect(f.rolePath ?? '/').toBe('/');
  });

  it('every vault role of this account trusts only roles this stack creates, with the external id its functions send', () => {
    const ownVaultRoles = [...vaultRoles].filter(([name]) => name.endsWith(`-${account.accountId}`));
    expect(ownVaultRoles).toHaveLength(4);
    for (const [name, trust] of ownVaultRoles) {
      for (const statement of trust) {
        expect(statement.Principal).toEqual({ AWS: `arn:aws:iam::${account.accountId}:root` });
        const trusted = asList(statement.Condition.ArnEquals['aws:PrincipalArn']) as string[];
        expect(trusted.length).toBeGreaterThan(0);
        for (const arn of trusted)
          expect({ vaultRole: name, trusted: arn, created: primaryRoleArns.has(arn) }).toMatchObject({ created: true });
        for (const f of functions) expect(f.env.EXTERNAL_ID).toBe(statement.Condition.StringEquals['sts:ExternalId']);
      }
    }
  });

  it('every vault role a function is given exists, trusts that function’s role, and only those its role may assume', () => {
    const used = new Set<string>();
    for (const f of functions) {
      // One vault role per function, but for the sealer (it reads as the auditor and appends as the ingest role)
      // and verify (it reads as the auditor and files its report as the evidence writer).
      const vaultRoleVars = Object.keys(f.env).filter((v) => v.endsWith('_ROLE_ARN'));
      expect(vaultRoleVars).toHaveLength(['strongroom-sealer', 'strongroom-verify'].includes(f.name) ? 2 : 1);
      const given = vaultRoleVars.map((v) => f.env[v] as string);
      for (const arn of given) {
        const name = arn.split('/').pop() as string;
        expect(arn).toBe(roleArn(BACKUP, name));
        const trust = vaultRoles.get(name);
        expect({ function: f.name, vaultRole: name, exists: trust !== undefined }).toMatchObject({ exists: true });
        const trusted = (trust ?? []).flatMap((s) => asList(s.Condition.ArnEquals['aws:PrincipalArn']));
        expect(trusted).toContain(roleArn(account.accountId, f.roleName));
        used.add(name);
      }
      const assumable = f.statements
        .filter((s) => asList(s.Action).includes('sts:AssumeRole'))
        .flatMap((s) => asList(s.Resource));
      expect(assumable.sort()).toEqual([...given].sort());
    }
    // Each of the account's four vault roles is used by some function (nothing trusted for nothing).
    expect([...used].sort()).toEqual([...vaultRoles.keys()].filter((n) => n.endsWith(`-${account.accountId}`)).sort());
  });

  it('the vault bucket grants exactly the vault roles this account’s functions assume', () => {
    const policy = ofType(vault, 'AWS::S3::BucketPolicy').find(([, p]) => p.Properties.Bucket === vaultBucket)?.[1];
    const granted = new Set(
      (policy.Properties.PolicyDocument.Statement as Json[])
        .filter((s) => s.Effect === 'Allow' && s.Principal?.AWS)
        .flatMap((s) => asList(s.Principal.AWS) as string[])
        .filter((arn) => arn.endsWith(`-${account.accountId}`)),
    );
    const assumed = new Set(
      functions.flatMap((f) => Object.entries(f.env).flatMap(([k, v]) => (k.endsWith('_ROLE_ARN') ? [v as string] : []))),
    );
    expect([...granted].sort()).toEqual([...assumed].sort());
  });

  it('points every function at the vault bucket, the vault account and its own account', () => {
    for (const f of functions) {
      expect(f.env.VAULT_BUCKET).toBe(vaultBucket);
      expect(f.env.VAULT_ACCOUNT_ID).toBe(BACKUP);
      expect(f.env.SOURCE_ACCOUNT_ID).toBe(account.accountId);
    }
  });

  it('copies AWS Backup recovery points into the vault VaultStack creates, which admits this account', () => {
    const vaultArn = `arn:aws:backup:${config.region}:${BACKUP}:backup-vault:${backupVault.BackupVaultName}`;
    const plan = ofType(resources, 'AWS::Backup::BackupPlan')[0]?.[1].Properties.BackupPlan;
    const destinations = (plan.BackupPlanRule as Json[]).flatMap((r) =>
      asList(r.CopyActions).map((c: Json) => c.DestinationBackupVaultArn),
    );
    expect(destinations).toEqual([vaultArn]);
    const admits = (backupVault.AccessPolicy.Statement as Json[]).filter(
      (s) => s.Effect === 'Allow' && asList(s.Action).includes('backup:CopyIntoBackupVault'),
    );
    expect(admits.flatMap((s) => asList(s.Principal.AWS))).toContain(`arn:aws:iam::${account.accountId}:root`);
    expect(functions.find((f) => f.name === 'strongroom-verify')?.env.BACKUP_VAULT_ARN).toBe(vaultArn);
    // The copy lifetime lies within the vault's lock range, or every copy job would fail.
    const lifetime = (plan.BackupPlanRule as Json[])[0].CopyActions[0].Lifecycle.DeleteAfterDays;
    expect(lifetime).toBeGreaterThanOrEqual(backupVault.LockConfiguration.MinRetentionDays);
    expect(lifetime).toBeLessThanOrEqual(backupVault.LockConfiguration.MaxRetentionDays);
  });
});
