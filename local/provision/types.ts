/** What the local provisioner makes, as tests, the demo, benchmarks and the deployment file see it. */
import type { StrongroomConfig } from '../../lib/config/schema';
import type { PolicyDocument } from '../../lib/policy/document';
import type { VaultPolicyModel } from '../../lib/policy/model';
import type { PrimaryRoleKind } from '../../lib/policy/primary-roles';
import type { VaultRoleKind } from '../../lib/policy/vault-roles';
import type { LocalS3Credentials, TenantAdmin } from '../local-s3';
import type { AppliedAdaptation, LocalMapping, RgwDocument } from '../rgw-policy-mapping';

/** A user standing in for an AWS role that cannot exist here, as created: its keys, before any policy. */
export interface StandInUser extends LocalS3Credentials {
  readonly tenant: string;
  readonly user: string;
  /** arn:aws:iam::<tenant>:user/<user>: how policies name it. */
  readonly arn: string;
  /** The AWS role it stands in for, as the local documents name that role. */
  readonly standsInFor: string;
}

/** A user standing in for an AWS role that cannot exist here (a Lambda function's role, break-glass). */
export interface LocalUser extends StandInUser {
  /** Its identity policy as applied (after the RGW mapping). */
  readonly policy: RgwDocument;
}

export interface LocalBucket {
  /** The name in the config (what the deployed stacks would use). */
  readonly configured: string;
  /** The local, run-unique name. */
  readonly name: string;
  readonly tenant: string;
  /** `tenant:name`: how any caller addresses it (a bare name means the caller's own tenant). */
  readonly address: string;
}

export interface LocalSource extends LocalBucket {
  readonly prefixes?: readonly string[];
}

export interface LocalVaultRole {
  readonly kind: VaultRoleKind;
  readonly name: string;
  readonly arn: string;
  /** Trust and permissions as lib/policy writes them for the local model, and as applied. */
  readonly trust: { readonly policy: PolicyDocument; readonly applied: RgwDocument };
  readonly permissions: { readonly policy: PolicyDocument; readonly applied: RgwDocument };
}

export interface LocalPrimaryAccount {
  /** The configured AWS account id. */
  readonly accountId: string;
  /** Its tenant, which the local documents use wherever AWS ones use the account id (ARNs, vault prefixes). */
  readonly tenant: string;
  readonly name: string;
  /** The tenant's admin: stands in for whoever holds admin in the primary account (an intruder, say). */
  readonly admin: TenantAdmin;
  readonly sources: readonly LocalSource[];
  readonly restoreTargets: readonly LocalBucket[];
  /** The vault roles serving this account (in the backup tenant). */
  readonly vaultRoles: Readonly<Record<VaultRoleKind, LocalVaultRole>>;
  /** Stand-ins for the function roles, with access keys. */
  readonly functions: Readonly<Record<PrimaryRoleKind, LocalUser>>;
  /** This account's prefixes in the vault, e.g. `objects/primary/`. */
  readonly vaultPrefixes: { readonly objects: string; readonly journal: string; readonly reports: string };
}

export interface LocalDeployment {
  /** The deployment name: the config's `name` for this run, prefix of every role, user and bucket. */
  readonly name: string;
  readonly endpoint: string;
  readonly region: string;
  readonly externalId: string;
  /** The config as deployed here (the deployment name in place of the configured one). */
  readonly config: StrongroomConfig;
  readonly mapping: LocalMapping;
  /** The model every local document was built from (tenants for accounts, local bucket names). */
  readonly model: VaultPolicyModel;
  readonly backup: { readonly tenant: string; readonly admin: TenantAdmin; readonly breakGlass: LocalUser };
  readonly vault: LocalBucket & { readonly mode: 'COMPLIANCE'; readonly retentionDays: number };
  /** The vault bucket policy as lib/policy writes it for the local model, and as applied to RGW. */
  readonly bucketPolicy: { readonly policy: PolicyDocument; readonly applied: RgwDocument };
  readonly primaries: readonly LocalPrimaryAccount[];
  /** The first (locally: the only) primary account. */
  readonly primary: LocalPrimaryAccount;
  /** Every adaptation applied, across all documents. */
  readonly adaptations: readonly AppliedAdaptation[];
  /** Milliseconds per provisioning phase. */
  readonly timings: Readonly<Record<string, number>>;
  /**
   * The file this deployment is saved in (local/deployment-file.ts): where the provisioner wrote it, or where
   * it was loaded from. It holds access keys (mode 0600) and goes when the local S3 is stopped.
   */
  readonly deploymentFile: string;
}
