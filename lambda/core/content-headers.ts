import type { PutObjectCommandInput } from '@aws-sdk/client-s3';
import type { JournalContentHeaders } from './journal';

export type WritableContentHeaders = Pick<
  PutObjectCommandInput,
  'ContentType' | 'ContentEncoding' | 'CacheControl' | 'ContentDisposition' | 'ContentLanguage' | 'Expires'
>;

/** Content headers as read (and journaled) to content headers for a write: S3 sends Expires as a string, takes a date. */
export function writableHeaders(headers: JournalContentHeaders): WritableContentHeaders {
  const { ExpiresString, ...rest } = headers;
  const expires = ExpiresString ? new Date(ExpiresString) : undefined;
  return { ...rest, ...(expires && !Number.isNaN(expires.getTime()) ? { Expires: expires } : {}) };
}
