import { GetObjectCommand, type GetObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { describeProblems, describeValue, type Problem, ProblemsError } from '../../contract/errors';
import type { JournalContentHeaders } from './journal';
import { explainAccessDenied, isNotFound, isPreconditionFailed } from './s3-errors';
import type { ObjectCreated } from './source-change';
import type { ByteStream } from './streams';
import { bareEtag, type SourceObjectRef, vaultKeyFor, versionToken } from './vault-keys';

/*
 * Reading the one source version a change names, and what the vault needs to know about it: one GET,
 * pinned by version id (or by If-Match on the ETag), whose body the copier streams into the vault.
 */

/** The source answered a read without what a copy needs (its bytes, length, ETag, Last-Modified). */
export class SourceReadError extends ProblemsError {
  public override readonly name = 'SourceReadError';

  public constructor(
    /** `GetObject acme-invoices/a.pdf (version v1)`. */
    public readonly read: string,
    problems: readonly Problem[],
    options?: ErrorOptions,
  ) {
    super(`${read} answered without what a copy needs: ${describeProblems(problems)}`, problems, options);
  }
}

/** Who reads the sources: the copier role's own credentials, in the primary account. */
export interface SourceReader {
  readonly sourceAccount: string;
  readonly source: S3Client;
  /** Names the copier role in error messages. */
  readonly sourceRole: string;
}

/** The HTTP headers of a source version that its vault object keeps; only those the source sent. */
export type ContentHeaders = JournalContentHeaders;

export interface SourceVersion {
  readonly ref: SourceObjectRef;
  readonly token: string;
  readonly vaultKey: string;
  readonly size: number;
  readonly versionId: string | null;
  /** Without quotes. */
  readonly etag: string;
  readonly lastModified: Date;
  readonly headers: ContentHeaders;
  readonly userMetadata: Record<string, string>;
}

export type SourceRead = { readonly version: SourceVersion; readonly body: ByteStream } | { readonly gone: string };

/**
 * GET exactly the version the change names: by version id in versioned sources, by If-Match on
 * the announced ETag in unversioned ones (content overwritten since then has its own event). A
 * version that no longer exists is `gone`, not an error: there is nothing left to copy.
 */
export async function readSourceVersion(reader: SourceReader, change: ObjectCreated): Promise<SourceRead> {
  let response: GetObjectCommandOutput;
  try {
    response = await reader.source.send(
      new GetObjectCommand({
        Bucket: change.bucket,
        Key: change.key,
        ...(change.versionId ? { VersionId: change.versionId } : change.etag ? { IfMatch: `"${bareEtag(change.etag)}"` } : {}),
      }),
    );
  } catch (error) {
    if (isNotFound(error)) return { gone: 'the version no longer exists in the source (deleted before it could be copied)' };
    if (isPreconditionFailed(error)) return { gone: 'the object was overwritten before it could be copied (unversioned source)' };
    return explainAccessDenied(
      error,
      reader.sourceRole,
      's3:GetObject',
      `arn:aws:s3:::${change.bucket}/${change.key}`,
      'check the copier role reads this source (and its KMS key, if the bucket uses SSE-KMS)',
    );
  }
  const { Body, ContentLength, ETag, LastModified } = response;
  if (!Body || ContentLength === undefined || !ETag || !LastModified) {
    throw new SourceReadError(`GetObject ${describeRead(change)}`, missingFields(response));
  }
  const ref = { account: reader.sourceAccount, bucket: change.bucket, key: change.key };
  const versionId = change.versionId ?? (response.VersionId && response.VersionId !== 'null' ? response.VersionId : null);
  const token = versionToken({ versionId, etag: ETag, lastModified: LastModified });
  return {
    body: Body as unknown as ByteStream,
    version: {
      ref,
      token,
      vaultKey: vaultKeyFor(ref, token),
      size: ContentLength,
      versionId,
      etag: bareEtag(ETag),
      lastModified: LastModified,
      headers: definedOnly({
        ContentType: response.ContentType,
        ContentEncoding: response.ContentEncoding,
        CacheControl: response.CacheControl,
        ContentDisposition: response.ContentDisposition,
        ContentLanguage: response.ContentLanguage,
        ExpiresString: response.ExpiresString,
      }),
      userMetadata: response.Metadata ?? {},
    },
  };
}

/** `acme-invoices/a.pdf (version v1)`, `acme-scratch/b.txt (ETag "e1")`: the read, as an error message names it. */
export function describeRead(change: ObjectCreated): string {
  const pinned = change.versionId ? ` (version ${change.versionId})` : change.etag ? ` (ETag "${bareEtag(change.etag)}")` : '';
  return `${change.bucket}/${change.key}${pinned}`;
}

/** What a copy needs from a GetObject answer and did not get. */
function missingFields(response: GetObjectCommandOutput): Problem[] {
  const fields = [
    { field: 'Body', missing: !response.Body, expected: "the version's bytes" },
    { field: 'ContentLength', missing: response.ContentLength === undefined, expected: 'its length in bytes' },
    { field: 'ETag', missing: !response.ETag, expected: 'its ETag' },
    { field: 'LastModified', missing: !response.LastModified, expected: 'when it was written' },
  ] as const;
  return fields
    .filter((f) => f.missing)
    .map(({ field, expected }) => ({ field, received: describeValue(response[field]), expected }));
}

function definedOnly(headers: ContentHeaders): ContentHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([, value]) => value !== undefined));
}
