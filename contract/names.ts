import * as z from 'zod';

/*
 * Schemas of the names both sides agree on: the config (synth time) and the functions' environment and
 * requests (run time) validate accounts, buckets, prefixes and sources with these, so a value one side
 * accepts the other never refuses. Each message states what is expected; the caller adds field and value.
 */

const expecting = (error: string) => ({ error });

export const accountIdSchema = z
  .string(expecting('a 12-digit AWS account id, as a string'))
  .regex(/^\d{12}$/, expecting('a 12-digit AWS account id, as a string'));

/** S3 bucket naming rules (general purpose buckets), minus the legacy ones. */
export const BUCKET_NAME_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export const bucketNameSchema = z
  .string(expecting('an S3 bucket name (a string)'))
  .regex(
    BUCKET_NAME_PATTERN,
    expecting('an S3 bucket name: 3-63 characters of a-z, 0-9, "." and "-", starting and ending with a letter or digit'),
  )
  .refine(
    (name) => !/\.\.|^\d+\.\d+\.\d+\.\d+$|^xn--|-s3alias$|--ol-s3$/.test(name),
    expecting('an S3 bucket name without "..", not an IP address, not starting "xn--" or ending "-s3alias"/"--ol-s3"'),
  );

export const iamRoleNameSchema = z
  .string(expecting('an IAM role name (a string)'))
  .regex(/^[\w+=,.@-]{1,64}$/, expecting('an IAM role name: 1-64 characters of letters, digits and +=,.@_-'));

/** The deployment's name prefix (config `name`): every resource name starts with it. */
export const DEPLOYMENT_NAME_PATTERN = /^[a-z][a-z0-9-]{1,19}$/;
export const DEPLOYMENT_NAME_EXPECTED = 'a name prefix: 2-20 characters of a-z, 0-9 and "-", starting with a letter';
export const deploymentNameSchema = z
  .string(expecting(DEPLOYMENT_NAME_EXPECTED))
  .regex(DEPLOYMENT_NAME_PATTERN, expecting(DEPLOYMENT_NAME_EXPECTED));

/** Required in sts:ExternalId on every AssumeRole into the vault (confused-deputy protection). */
const EXTERNAL_ID_EXPECTED = 'an external id: 16-1224 characters of letters, digits and +=,.@:/_-';
export const externalIdSchema = z
  .string(expecting(EXTERNAL_ID_EXPECTED))
  .regex(/^[\w+=,.@:/-]{16,1224}$/, expecting(EXTERNAL_ID_EXPECTED));

export const keyPrefixSchema = z
  .string(expecting('a key prefix such as "invoices/"'))
  .min(1, expecting('a non-empty key prefix such as "invoices/"'))
  .max(1024, expecting('a key prefix of at most 1024 characters'))
  .refine((p) => !p.startsWith('/'), expecting('a key prefix that does not start with "/" (S3 keys have no leading slash)'));

export const kmsKeyArnSchema = z
  .string(expecting('a KMS key ARN (a string)'))
  .regex(
    /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/,
    expecting('a KMS key ARN such as "arn:aws:kms:eu-west-1:111122223333:key/<uuid>" (an alias is not accepted)'),
  );

/** One backed-up bucket: in the config's `primaryAccounts[].sources`, and in the functions' SOURCES. */
export const SourceSchema = z.strictObject({
  /** Name of an existing bucket in the primary account. */
  bucket: bucketNameSchema,
  /** Only keys under these prefixes are backed up. Omit to back up the whole bucket. */
  prefixes: z
    .array(keyPrefixSchema)
    .min(1, expecting('at least one prefix, or omit "prefixes" to back up the whole bucket'))
    .optional(),
  /** Customer-managed KMS key the source bucket's objects are encrypted with (SSE-KMS). */
  kmsKeyArn: kmsKeyArnSchema.optional(),
});

export type SourceSpec = z.output<typeof SourceSchema>;
