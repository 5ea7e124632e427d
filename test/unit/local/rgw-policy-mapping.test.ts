import fc from 'fast-check';
import { loadConfig } from '../../../lib/config/load';
import type { StrongroomConfig } from '../../../lib/config/schema';
import { asList, type PolicyDocument, type PolicyStatement, policy } from '../../../lib/policy/document';
import { arns, vaultPolicyModel } from '../../../lib/policy/model';
import { PRIMARY_ROLE_KINDS, primaryRoleStatements } from '../../../lib/policy/primary-roles';
import { vaultBucketPolicy } from '../../../lib/policy/vault-bucket';
import { VAULT_ROLE_KINDS, vaultRolePermissions, vaultRoleTrust } from '../../../lib/policy/vault-roles';
import {
  type AdaptationId,
  adaptationsMarkdown,
  configuredBuckets,
  type LocalMapping,
  type LocalPrincipals,
  localPrimaryAccount,
  localVaultPolicyModel,
  mapAwsToLocal,
  RGW_ADAPTATIONS,
  RGW_PACIFIC_ACTIONS,
  RgwMappingError,
  toRgwBucketPolicy,
  toRgwIdentityPolicy,
  toRgwTrust,
} from '../../../local/rgw-policy-mapping';
import { twoAccountConfig } from '../../support/config';

/*
 * The local vault must be governed by the deployed vault's documents. These tests build both from lib/policy
 * and compare them: after the ARN mapping (account ids -> tenants, bucket names -> local names) they are
 * equal, and the RGW versions differ from them by exactly the adaptations RGW_ADAPTATIONS lists.
 */

const BACKUP = '111111111111';
const PRIMARY = '222222222222';
const OTHER = '333333333333';

/** Two primary accounts (the mapping functions are general; the provisioner uses one), prefixes, a restore target each. */
const config: StrongroomConfig = twoAccountConfig();
const mapping: LocalMapping = {
  tenants: { [BACKUP]: 'backup', [PRIMARY]: 'primary', [OTHER]: 'primary2' },
  buckets: Object.fromEntries(configuredBuckets(config).map((b, i) => [b, `run1-b${i}-${b}`.slice(0, 63)])),
};
const aws = vaultPolicyModel(config);
const local = localVaultPolicyModel(config, mapping);
const mapped = <T>(value: T): T => mapAwsToLocal(value, config, mapping);

// Local principals as the provisioner lists them: the primary tenants whole, the backup tenant one by one.
const role = (kind: (typeof VAULT_ROLE_KINDS)[number], tenant: string) =>
  arns.role(local, 'backup', local.roleNames[kind](tenant));
const vaultRoles = ['primary', 'primary2'].flatMap((t) => VAULT_ROLE_KINDS.map((k) => role(k, t)));
const BACKUP_ADMIN = 'arn:aws:iam::backup:user/admin';
const BREAK_GLASS_USER = 'arn:aws:iam::backup:user/run1-break-glass';
const standIns: Record<string, string> = {
  [arns.breakGlass(local)]: BREAK_GLASS_USER,
  ...Object.fromEntries(
    ['primary', 'primary2'].flatMap((tenant) =>
      PRIMARY_ROLE_KINDS.map((kind) => [
        arns.role(local, tenant, local.roleNames[kind]),
        `arn:aws:iam::${tenant}:user/${local.roleNames[kind]}`,
      ]),
    ),
  ),
};
const principals: LocalPrincipals = {
  wholeTenants: ['primary', 'primary2'],
  principals: [BACKUP_ADMIN, BREAK_GLASS_USER, ...vaultRoles],
  standIns,
};

const bySid = (doc: PolicyDocument) => new Map(doc.Statement.map((s) => [s.Sid as string, s]));
const sidsOf = (doc: PolicyDocument) => doc.Statement.map((s) => s.Sid);

describe('the local model', () => {
  it('is the configured model with tenants for accounts and local bucket names', () => {
    expect(local).toMatchObject({
      partition: 'aws',
      backupAccount: 'backup',
      primaryAccounts: ['primary', 'primary2'],
      vaultBucket: mapping.buckets[aws.vaultBucket],
      vaultLogBucket: mapping.buckets[aws.vaultLogBucket],
      externalId: aws.externalId,
      region: aws.region,
    });
    expect(local.roleNames.ingest('primary')).toBe('strongroom-ingest-primary');
    expect(local.roleNames.copier).toBe(aws.roleNames.copier);
    // the CDK deploy role's default name embeds the backup account id
    expect(aws.roleNames.deploy).toContain(BACKUP);
    expect(local.roleNames.deploy).toBe(aws.roleNames.deploy.replace(BACKUP, 'backup'));
  });

  it('maps a primary account: tenant as account id, local source and restore-target names', () => {
    const account = config.primaryAccounts[1] as StrongroomConfig['primaryAccounts'][number];
    expect(localPrimaryAccount(account, mapping)).toEqual({
      ...account,
      accountId: 'primary2',
      sources: account.sources.map((s) => ({ ...s, bucket: mapping.buckets[s.bucket] })),
      restoreTargets: account.restoreTargets.map((b) => mapping.buckets[b]),
    });
  });

  it('refuses an incomplete or ambiguous mapping, naming what is missing', () => {
    const { [OTHER]: _dropped, ...tenants } = mapping.tenants;
    expect(() => localVaultPolicyModel(config, { ...mapping, tenants })).toThrow(`account ${OTHER} has no tenant`);
    expect(() => localVaultPolicyModel(config, { ...mapping, tenants: { ...mapping.tenants, [OTHER]: 'primary' } })).toThrow(
      `accounts ${PRIMARY} and ${OTHER} share tenant 'primary'`,
    );
    const { [aws.vaultBucket]: _vault, ...buckets } = mapping.buckets;
    expect(() => localVaultPolicyModel(config, { ...mapping, buckets })).toThrow(`bucket ${aws.vaultBucket} has no local name`);
    expect(() =>
      localVaultPolicyModel(config, { ...mapping, buckets: { ...mapping.buckets, [aws.vaultBucket]: 'Not_A_Bucket' } }),
    ).toThrow(RgwMappingError);
  });
});

describe('before the RGW adaptations, every local document IS the deployed one after ARN mapping', () => {
  it('the vault bucket policy', () => {
    expect(vaultBucketPolicy(local)).toEqual(mapped(vaultBucketPolicy(aws)));
  });

  it.each(VAULT_ROLE_KINDS.flatMap((kind) => [PRIMARY, OTHER].map((account) => [kind, account] as const)))(
    'the %s role trust and permissions for %s',
    (kind, account) => {
      const tenant = mapping.tenants[account] as string;
      expect(vaultRoleTrust(local, kind, tenant)).toEqual(mapped(vaultRoleTrust(aws, kind, account)));
      expect(vaultRolePermissions(local, kind, tenant)).toEqual(mapped(vaultRolePermissions(aws, kind, account)));
    },
  );

  it.each(PRIMARY_ROLE_KINDS)('the %s function role statements', (kind) => {
    for (const account of config.primaryAccounts) {
      const ours = primaryRoleStatements(local, localPrimaryAccount(account, mapping), kind, config.name);
      expect(ours).toEqual(mapped(primaryRoleStatements(aws, account, kind, config.name)));
    }
  });

  it('holds for any tenant and bucket names (property)', () => {
    const tenant = fc.stringMatching(/^[a-z][a-z0-9]{1,11}$/);
    fc.assert(
      fc.property(fc.uniqueArray(tenant, { minLength: 3, maxLength: 3 }), fc.stringMatching(/^[a-z][a-z0-9]{2,8}$/), (t, run) => {
        const m: LocalMapping = {
          tenants: { [BACKUP]: t[0] as string, [PRIMARY]: t[1] as string, [OTHER]: t[2] as string },
          buckets: Object.fromEntries(configuredBuckets(config).map((b, i) => [b, `${run}-${i}`])),
        };
        const lm = localVaultPolicyModel(config, m);
        expect(vaultBucketPolicy(lm)).toEqual(mapAwsToLocal(vaultBucketPolicy(aws), config, m));
      }),
      { numRuns: 50 },
    );
  });
});

describe('toRgwBucketPolicy: equal statement by statement, except exactly the listed adaptations', () => {
  const deployed = mapped(vaultBucketPolicy(aws));
  const rgw = toRgwBucketPolicy(vaultBucketPolicy(local), principals);
  const EXEMPTING = [
    'DenyObjectDestructionExceptBreakGlass',
    'DenyBackupWritesExceptIngestprimary',
    'DenyBackupWritesExceptIngestprimary2',
    'DenyReportWritesExceptEvidenceWriterprimary',
    'DenyReportWritesExceptEvidenceWriterprimary2',
    'DenyWritesOutsideAccountPrefixesExceptBreakGlass',
    'DenyReplicationWritesExceptBreakGlass',
    'DenyObjectTaggingExceptBreakGlass',
    'DenyDataReadsExceptRestoreReaders',
    'DenyBucketReconfigurationExceptBreakGlass',
    'DenyPolicyChangesExceptBreakGlassAndDeployer',
  ];
  /** Statements none of whose actions pacific knows: dropped once the unknown ones are removed. */
  const NO_ACTION_LEFT = ['DenyReplicationWritesExceptBreakGlass'];
  const UNEVALUATED = [
    'DenyPutWithRetentionHeadersExceptBreakGlass',
    'DenyPutWithRetainUntilHeaderExceptBreakGlass',
    'DenyPutWithLegalHoldHeaderExceptBreakGlass',
    'DenyOverwritesExceptBreakGlass',
  ];
  const UNKNOWN_ACTIONS = [
    'AuditorReadVaultSettingsprimary',
    'AuditorReadVaultSettingsprimary2',
    'DenyReplicationWritesExceptBreakGlass',
    'DenyBucketReconfigurationExceptBreakGlass',
  ];

  it('records exactly these adaptations, each once per statement', () => {
    const applied = rgw.applied.map((a) => `${a.adaptation} ${a.statement}`).sort();
    expect(applied).toEqual(
      [
        ...EXEMPTING.map((s) => `exempting-deny ${s}`),
        ...UNEVALUATED.map((s) => `unevaluated-condition-statement ${s}`),
        ...UNKNOWN_ACTIONS.map((s) => `unknown-action ${s}`),
      ].sort(),
    );
  });

  it('drops the statements on unevaluated condition keys and those left without actions, and nothing else', () => {
    expect(sidsOf(rgw.document)).toEqual(
      sidsOf(deployed).filter((sid) => ![...UNEVALUATED, ...NO_ACTION_LEFT].includes(sid as string)),
    );
  });

  it('passes every other statement unchanged: the grants, TLS, and the rest', () => {
    const ours = bySid(rgw.document);
    const untouched = sidsOf(deployed).filter(
      (sid) => ![...EXEMPTING, ...UNEVALUATED, ...UNKNOWN_ACTIONS].includes(sid as string),
    );
    expect(untouched.length).toBeGreaterThan(10);
    for (const sid of untouched) expect(ours.get(sid as string)).toEqual(bySid(deployed).get(sid as string));
    expect(ours.get('DenyInsecureTransport')).toEqual(bySid(deployed).get('DenyInsecureTransport'));
  });

  it.each(EXEMPTING.filter((sid) => !NO_ACTION_LEFT.includes(sid)))(
    '%s: Principal "*" + aws:PrincipalArn exemption -> every non-exempt local principal, no condition',
    (sid) => {
      const before = bySid(deployed).get(sid) as PolicyStatement;
      const after = bySid(rgw.document).get(sid) as PolicyStatement;
      const exempt = asList(before.Condition?.ArnNotEquals?.['aws:PrincipalArn'] as string[]);
      const exemptLocally = new Set([...exempt, ...exempt.map((arn) => standIns[arn]).filter(Boolean)]);
      const expected = [
        'arn:aws:iam::primary:root',
        'arn:aws:iam::primary2:root',
        ...principals.principals.filter((p) => !exemptLocally.has(p)),
      ];
      expect(after.Condition).toBeUndefined();
      expect(asList(after.Principal !== '*' ? after.Principal?.AWS : undefined).sort()).toEqual(expected.sort());
      // the exempt principals (and their stand-ins) are absent
      const named = asList(after.Principal !== '*' ? after.Principal?.AWS : undefined);
      for (const arn of exemptLocally) expect(named).not.toContain(arn);
      // and nothing but Principal and Condition changed (actions may lose unknown names: see below)
      const { Principal: _p, Condition: _c, Action: beforeActions, ...restBefore } = before;
      const { Principal: _p2, Condition: _c2, Action: afterActions, ...restAfter } = after;
      expect(restAfter).toEqual(restBefore);
      expect(asList(afterActions)).toEqual(asList(beforeActions).filter((a) => RGW_PACIFIC_ACTIONS.has(a)));
    },
  );

  it('never denies the break-glass stand-in, and denies the ingest role data reads but not the restore readers', () => {
    const reads = bySid(rgw.document).get('DenyDataReadsExceptRestoreReaders') as PolicyStatement;
    const named = asList((reads.Principal as { AWS: string[] }).AWS);
    expect(named).toEqual(expect.arrayContaining([role('ingest', 'primary'), role('auditor', 'primary'), BACKUP_ADMIN]));
    expect(named).not.toContain(role('restoreReader', 'primary'));
    expect(named).not.toContain(role('restoreReader', 'primary2'));
    for (const sid of EXEMPTING) expect(JSON.stringify(bySid(rgw.document).get(sid) ?? {})).not.toContain(BREAK_GLASS_USER);
  });

  it("binds each account's prefixes to its ingest role, and its reports to its evidence writer", () => {
    const named = (sid: string) => asList(((bySid(rgw.document).get(sid) as PolicyStatement).Principal as { AWS: string[] }).AWS);
    for (const [tenant, other] of [
      ['primary', 'primary2'],
      ['primary2', 'primary'],
    ] as const) {
      const backupWrites = named(`DenyBackupWritesExceptIngest${tenant}`);
      expect(backupWrites).not.toContain(role('ingest', tenant));
      expect(backupWrites).toEqual(
        expect.arrayContaining([BACKUP_ADMIN, role('ingest', other), role('restoreReader', tenant), role('auditor', tenant)]),
      );
      expect(named(`DenyReportWritesExceptEvidenceWriter${tenant}`).sort()).toEqual(
        [
          'arn:aws:iam::primary:root',
          'arn:aws:iam::primary2:root',
          BACKUP_ADMIN,
          ...vaultRoles.filter((arn) => arn !== role('evidenceWriter', tenant)),
        ].sort(),
      );
    }
    const outside = bySid(rgw.document).get('DenyWritesOutsideAccountPrefixesExceptBreakGlass') as PolicyStatement;
    expect(outside.NotResource).toEqual(
      ['primary', 'primary2'].flatMap((t) =>
        ['objects', 'journal', 'reports'].map((area) => `arn:aws:s3:::${local.vaultBucket}/${area}/${t}/*`),
      ),
    );
    expect(named('DenyWritesOutsideAccountPrefixesExceptBreakGlass')).toEqual(expect.arrayContaining(vaultRoles));
  });

  it('removes exactly the actions pacific does not know', () => {
    const removed = rgw.applied.filter((a) => a.adaptation === 'unknown-action').map((a) => a.detail);
    expect(removed).toEqual([
      'removed s3:GetEncryptionConfiguration, s3:GetBucketOwnershipControls',
      'removed s3:GetEncryptionConfiguration, s3:GetBucketOwnershipControls',
      'removed s3:ReplicateObject, s3:ReplicateDelete, s3:ReplicateTags; no action left, statement dropped',
      'removed s3:PutBucketOwnershipControls, s3:PutEncryptionConfiguration, s3:PutAnalyticsConfiguration, ' +
        's3:PutInventoryConfiguration, s3:PutMetricsConfiguration, s3:PutIntelligentTieringConfiguration',
    ]);
    const actions = rgw.document.Statement.flatMap((s) => asList(s.Action));
    expect(actions.filter((a) => !a.includes('*') && !RGW_PACIFIC_ACTIONS.has(a))).toEqual([]);
  });

  it('leaves no condition key RGW does not evaluate', () => {
    const keys = rgw.document.Statement.flatMap((s) => Object.values(s.Condition ?? {}).flatMap((b) => Object.keys(b)));
    expect([...new Set(keys)].sort()).toEqual(['aws:SecureTransport', 's3:prefix']);
  });

  it('refuses what it cannot map faithfully', () => {
    const withUnknownKey = policy({
      Sid: 'New',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:GetObject',
      Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1' } },
    });
    expect(() => toRgwBucketPolicy(withUnknownKey, principals)).toThrow(/New uses condition key\(s\) aws:SourceVpce/);
    const exemptInWholeTenant = policy({
      Sid: 'Odd',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:GetObject',
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': 'arn:aws:iam::primary:user/someone' } },
    });
    expect(() => toRgwBucketPolicy(exemptInWholeTenant, principals)).toThrow(
      /exempts arn:aws:iam::primary:user\/someone in tenant 'primary'/,
    );
    const exemptingAllow = policy({
      Sid: 'Allowish',
      Effect: 'Allow',
      Principal: '*',
      Action: 's3:GetObject',
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': BACKUP_ADMIN } },
    });
    expect(() => toRgwBucketPolicy(exemptingAllow, principals)).toThrow(RgwMappingError);
  });
});

describe('toRgwTrust', () => {
  it.each(VAULT_ROLE_KINDS)("%s: the pinned roles' stand-in users replace the account root; conditions dropped", (kind) => {
    const deployed = mapped(vaultRoleTrust(aws, kind, PRIMARY));
    const rgw = toRgwTrust(vaultRoleTrust(local, kind, 'primary'), standIns);
    const [before] = deployed.Statement as [PolicyStatement];
    const [after] = rgw.document.Statement as [PolicyStatement];
    const pinned = asList(before.Condition?.ArnEquals?.['aws:PrincipalArn'] as string[]);
    expect(pinned.length).toBeGreaterThan(0);
    expect(after).toEqual({
      Sid: before.Sid,
      Effect: 'Allow',
      Action: before.Action,
      Principal: { AWS: pinned.length === 1 ? standIns[pinned[0] as string] : pinned.map((arn) => standIns[arn]) },
    });
    expect(JSON.stringify(after)).not.toContain(':root');
    expect(rgw.applied.map((a) => a.adaptation).sort()).toEqual(['trust-conditions', 'trust-stand-in-principals']);
  });

  it('the ingest role admits the copier and sealer stand-ins only', () => {
    const [after] = toRgwTrust(vaultRoleTrust(local, 'ingest', 'primary'), standIns).document.Statement as [PolicyStatement];
    expect(after.Principal).toEqual({
      AWS: [`arn:aws:iam::primary:user/${local.roleNames.copier}`, `arn:aws:iam::primary:user/${local.roleNames.sealer}`],
    });
  });

  it('the auditor role admits the verify, reconciler and sealer stand-ins only', () => {
    const [after] = toRgwTrust(vaultRoleTrust(local, 'auditor', 'primary'), standIns).document.Statement as [PolicyStatement];
    expect(after.Principal).toEqual({
      AWS: [local.roleNames.verify, local.roleNames.reconciler, local.roleNames.sealer].map(
        (name) => `arn:aws:iam::primary:user/${name}`,
      ),
    });
  });

  it('refuses a root principal that no aws:PrincipalArn pins (RGW would admit every user of the tenant)', () => {
    const open = policy({
      Sid: 'Open',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::primary:root' },
      Action: 'sts:AssumeRole',
    });
    expect(() => toRgwTrust(open, standIns)).toThrow(/not pinned to named roles/);
    const unknownPin = policy({
      Sid: 'Pinned',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::primary:root' },
      Action: 'sts:AssumeRole',
      Condition: { ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::primary:role/unknown' } },
    });
    expect(() => toRgwTrust(unknownPin, standIns)).toThrow('no local stand-in for arn:aws:iam::primary:role/unknown');
  });
});

describe('toRgwIdentityPolicy', () => {
  it('vault role permissions: only the auditor changes (AWS Backup reads dropped, unknown actions removed)', () => {
    for (const kind of VAULT_ROLE_KINDS) {
      const deployed = mapped(vaultRolePermissions(aws, kind, PRIMARY));
      const rgw = toRgwIdentityPolicy(vaultRolePermissions(local, kind, 'primary'));
      if (kind !== 'auditor') {
        expect(rgw).toEqual({ document: deployed, applied: [] });
        continue;
      }
      expect(rgw.applied.map((a) => `${a.adaptation} ${a.statement}`)).toEqual([
        'unknown-action AuditorReadVaultSettingsprimary',
        'absent-service-statement AuditorReadBackupVault',
      ]);
      expect(sidsOf(rgw.document)).toEqual(sidsOf(deployed).filter((sid) => sid !== 'AuditorReadBackupVault'));
    }
  });

  it('function roles: the sts:AssumeRole grants and the Lambda / Step Functions / KMS / tagging statements are dropped, the S3 grants kept as they are', () => {
    const expectedDrops: Record<string, AdaptationId[]> = {
      copier: ['assume-role-identity-statement'],
      reconciler: ['assume-role-identity-statement', 'absent-service-statement'],
      // lambda:InvokeFunction on itself, states:StartExecution and states:DescribeExecution
      restore: ['assume-role-identity-statement', ...Array<AdaptationId>(3).fill('absent-service-statement')],
      // the auditor and the evidence writer; tag:GetResources; lambda:InvokeFunction of the restore function (the drill)
      verify: [
        'assume-role-identity-statement',
        'assume-role-identity-statement',
        'absent-service-statement',
        'absent-service-statement',
      ],
      // the auditor and the ingest role
      sealer: ['assume-role-identity-statement', 'assume-role-identity-statement'],
    };
    for (const kind of PRIMARY_ROLE_KINDS) {
      const account = config.primaryAccounts[0] as StrongroomConfig['primaryAccounts'][number];
      const deployed = mapped(policy(...primaryRoleStatements(aws, account, kind, config.name)));
      const rgw = toRgwIdentityPolicy(
        policy(...primaryRoleStatements(local, localPrimaryAccount(account, mapping), kind, config.name)),
      );
      expect(rgw.applied.map((a) => a.adaptation)).toEqual(expectedDrops[kind]);
      const kept = deployed.Statement.filter((s) => asList(s.Action).every((a) => a.startsWith('s3:')));
      expect(rgw.document.Statement).toEqual(kept);
    }
  });

  it("a source's KMS decrypt statement is dropped (no KMS here)", () => {
    const input = JSON.parse(JSON.stringify(config)) as StrongroomConfig;
    const account = input.primaryAccounts[0] as StrongroomConfig['primaryAccounts'][number];
    (account.sources[0] as { kmsKeyArn?: string }).kmsKeyArn =
      `arn:aws:kms:eu-west-1:${PRIMARY}:key/00000000-0000-0000-0000-000000000000`;
    const rgw = toRgwIdentityPolicy(
      policy(...primaryRoleStatements(local, localPrimaryAccount(account, mapping), 'copier', config.name)),
    );
    expect(rgw.applied.map((a) => `${a.adaptation} ${a.statement}`)).toContain(
      'absent-service-statement DecryptSourceObjectsThroughS3',
    );
  });

  it('refuses a statement mixing S3 with absent services, or an unknown condition key', () => {
    const mixed = policy({ Sid: 'Mixed', Effect: 'Allow', Action: ['s3:GetObject', 'kms:Decrypt'], Resource: '*' });
    expect(() => toRgwIdentityPolicy(mixed)).toThrow(/Mixed mixes local and absent services/);
    const keyed = policy({
      Sid: 'Keyed',
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: '*',
      Condition: { StringEquals: { 's3:ExistingObjectTag/x': 'y' } },
    });
    expect(() => toRgwIdentityPolicy(keyed)).toThrow(RgwMappingError);
  });
});

describe('the adaptations table', () => {
  it('has one row per adaptation id, and every adaptation the mapping applies has a row', () => {
    const ids = RGW_ADAPTATIONS.map((a) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
    const applied = new Set<AdaptationId>([
      ...toRgwBucketPolicy(vaultBucketPolicy(local), principals).applied.map((a) => a.adaptation),
      ...VAULT_ROLE_KINDS.flatMap((k) => [
        ...toRgwTrust(vaultRoleTrust(local, k, 'primary'), standIns).applied.map((a) => a.adaptation),
        ...toRgwIdentityPolicy(vaultRolePermissions(local, k, 'primary')).applied.map((a) => a.adaptation),
      ]),
      ...PRIMARY_ROLE_KINDS.flatMap((k) =>
        toRgwIdentityPolicy(
          policy(
            ...primaryRoleStatements(local, localPrimaryAccount(config.primaryAccounts[0] as never, mapping), k, config.name),
          ),
        ).applied.map((a) => a.adaptation),
      ),
    ]);
    for (const id of applied) expect(ids).toContain(id);
    for (const row of RGW_ADAPTATIONS) {
      expect(row.subject && row.rgw && row.local && row.awsProof).toBeTruthy();
    }
  });

  it('renders as a Markdown table with a row per adaptation', () => {
    const lines = adaptationsMarkdown().split('\n');
    expect(lines).toHaveLength(RGW_ADAPTATIONS.length + 2);
    expect(lines[0]).toBe('| What | RGW pacific | Local vault | AWS behaviour proven in |');
  });

  it('uses the local config the demo embeds without surprises', () => {
    const demo = loadConfig(`${__dirname}/../../../config/strongroom.local.json`);
    expect(demo.primaryAccounts).toHaveLength(1);
    expect(demo.vault.objectLock).toEqual({ mode: 'COMPLIANCE', retentionDays: 1 });
  });
});
