/*
 * The environment contract between ProtectedAccountStack (which sets these variables) and the functions
 * (which read them, once, in lambda/adapters/env.ts). The stack types its environment objects with
 * `EnvironmentOf<kind>`, so a variable added, renamed or dropped on one side fails to compile on the
 * other. Powertools reads its own POWERTOOLS_* variables; they are not part of this contract.
 */

export const COMMON_ENV_VARS = [
  'STRONGROOM_NAME',
  'SOURCE_ACCOUNT_ID',
  'VAULT_ACCOUNT_ID',
  'VAULT_BUCKET',
  'EXTERNAL_ID',
  'SOURCES',
] as const;

export const FUNCTION_ENV_VARS = {
  copier: ['INGEST_ROLE_ARN', 'DEAD_LETTER_QUEUE_URL'],
  reconciler: ['AUDITOR_ROLE_ARN', 'QUEUE_URL', 'RECONCILER_FUNCTION_NAME'],
  restore: ['RESTORE_READER_ROLE_ARN', 'RESTORE_TARGETS', 'RESTORE_FUNCTION_NAME', 'RESTORE_STATE_MACHINE_ARN'],
  sealer: ['AUDITOR_ROLE_ARN', 'INGEST_ROLE_ARN', 'SEAL_SETTLE_SECONDS'],
  // BACKUP_PLAN_TAG is JSON {key, value}; VAULT_KEY_ARN is the vault key's alias ARN, or empty with SSE-S3.
  verify: [
    'AUDITOR_ROLE_ARN',
    'EVIDENCE_WRITER_ROLE_ARN',
    'BACKUP_VAULT_ARN',
    'RPO_MINUTES',
    'BACKUP_PLAN_TAG',
    'BACKUP_PLAN_SCHEDULE',
    'VAULT_KEY_ARN',
  ],
} as const;

export type FunctionKind = keyof typeof FUNCTION_ENV_VARS;
export const FUNCTION_KINDS = Object.keys(FUNCTION_ENV_VARS) as FunctionKind[];

/** Exactly the variables one function reads, each a string (what Lambda stores). */
export type EnvironmentOf<K extends FunctionKind> = Record<
  (typeof COMMON_ENV_VARS)[number] | (typeof FUNCTION_ENV_VARS)[K][number],
  string
>;
