import * as z from 'zod';
import { describeValue, type Problem, problemsFromIssues } from '../../contract/errors';
import { InputValidationError } from './errors';

/*
 * What the copier is asked to back up: one change to one source object. Changes arrive as S3
 * events delivered by EventBridge (through SQS), or as the reconciler's messages, which use the
 * same shape with source "strongroom.reconciler" so that one parser and one code path serve both.
 */

export type SourceChange = ObjectCreated | ObjectDeleted;

interface ChangeBase {
  readonly bucket: string;
  readonly key: string;
  /** S3's per-key order of changes (hex); absent for changes the reconciler found by listing. */
  readonly sequencer: string | null;
  /** When the change happened: the event time, or the listed LastModified for reconciler changes. */
  readonly eventTime: Date;
  readonly origin: 'event' | 'reconciler';
}

export interface ObjectCreated extends ChangeBase {
  readonly type: 'created';
  /** The new version's id; null when the source is unversioned. */
  readonly versionId: string | null;
  /** The new content's ETag: unversioned sources are read with If-Match on it. */
  readonly etag: string | null;
}

export interface ObjectDeleted extends ChangeBase {
  readonly type: 'deleted';
  /** A delete marker placed, or an object/version removed for good. */
  readonly deletion: 'deleteMarker' | 'permanent';
  /** The delete marker's id, or the id of the version removed; null in unversioned sources. */
  readonly versionId: string | null;
}

export const RECONCILER_EVENT_SOURCE = 'strongroom.reconciler';

const SourceChangeEventSchema = z.looseObject({
  source: z.enum(['aws.s3', RECONCILER_EVENT_SOURCE], { error: `"aws.s3" or "${RECONCILER_EVENT_SOURCE}"` }),
  'detail-type': z.enum(['Object Created', 'Object Deleted'], { error: '"Object Created" or "Object Deleted"' }),
  account: z.string({ error: 'the 12-digit id of the account owning the bucket' }),
  time: z.iso.datetime({ error: 'the event time, ISO-8601 in UTC' }),
  detail: z.looseObject({
    bucket: z.looseObject({ name: z.string({ error: 'a bucket name' }).min(3, { error: 'a bucket name' }) }),
    object: z.looseObject({
      key: z.string({ error: 'an object key' }).min(1, { error: 'a non-empty object key' }).max(1024, {
        error: 'an object key of at most 1024 characters',
      }),
      etag: z.string({ error: 'an ETag' }).optional(),
      'version-id': z.string({ error: 'a version id' }).optional(),
      sequencer: z
        .string({ error: 'a hex sequencer' })
        .regex(/^[0-9A-Fa-f]+$/, { error: 'a hex sequencer' })
        .optional(),
    }),
    'deletion-type': z
      .enum(['Permanently Deleted', 'Delete Marker Created'], { error: '"Permanently Deleted" or "Delete Marker Created"' })
      .optional(),
  }),
});

export interface SourceScope {
  /** The primary account the copier serves: events from any other account are refused. */
  readonly account: string;
  /** Configured sources; a change outside them (bucket or prefix) is refused. */
  readonly sources: ReadonlyArray<{ readonly bucket: string; readonly prefixes?: readonly string[] }>;
}

/**
 * Parse a record body into a change, or throw InputValidationError naming every field that is
 * wrong, the value received and what was expected. `subject` names the record in the message.
 */
export function parseSourceChange(body: string, scope: SourceScope, subject: string): SourceChange {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new InputValidationError(
      subject,
      [{ field: 'body', received: describeValue(body), expected: 'an EventBridge S3 event, as JSON' }],
      { cause: error },
    );
  }
  const parsed = SourceChangeEventSchema.safeParse(json, { reportInput: true });
  if (!parsed.success) throw new InputValidationError(subject, problemsFromIssues(parsed.error.issues, json, ['body']));
  const event = parsed.data;
  const { detail } = event;
  const problems: Problem[] = [];
  if (event.account !== scope.account) {
    problems.push({ field: 'body.account', received: describeValue(event.account), expected: `this account (${scope.account})` });
  }
  const source = scope.sources.find((s) => s.bucket === detail.bucket.name);
  if (!source) {
    problems.push({
      field: 'body.detail.bucket.name',
      received: describeValue(detail.bucket.name),
      expected: `one of the configured sources (${scope.sources.map((s) => s.bucket).join(', ')})`,
    });
  } else if (source.prefixes && !source.prefixes.some((p) => detail.object.key.startsWith(p))) {
    problems.push({
      field: 'body.detail.object.key',
      received: describeValue(detail.object.key),
      expected: `a key under the configured prefixes of ${source.bucket} (${source.prefixes.join(', ')})`,
    });
  }
  if (event['detail-type'] === 'Object Deleted' && !detail['deletion-type']) {
    problems.push({
      field: 'body.detail.deletion-type',
      received: '(missing)',
      expected: '"Permanently Deleted" or "Delete Marker Created"',
    });
  }
  if (detail['deletion-type'] === 'Delete Marker Created' && !detail.object['version-id']) {
    problems.push({
      field: 'body.detail.object.version-id',
      received: describeValue(detail.object['version-id']),
      expected: 'the id of the delete marker created',
    });
  }
  if (problems.length > 0) throw new InputValidationError(subject, problems);

  const versionId = detail.object['version-id'];
  const base = {
    bucket: detail.bucket.name,
    key: detail.object.key,
    sequencer: detail.object.sequencer ?? null,
    eventTime: new Date(event.time),
    origin: event.source === 'aws.s3' ? ('event' as const) : ('reconciler' as const),
  };
  if (event['detail-type'] === 'Object Created') {
    return {
      ...base,
      type: 'created',
      versionId: versionId && versionId !== 'null' ? versionId : null,
      etag: detail.object.etag ?? null,
    };
  }
  return {
    ...base,
    type: 'deleted',
    deletion: detail['deletion-type'] === 'Delete Marker Created' ? 'deleteMarker' : 'permanent',
    versionId: versionId && versionId !== 'null' ? versionId : null,
  };
}

/** A stable identity of a change, to process each only once per batch however often it was delivered. */
export function changeIdentity(change: SourceChange): string {
  const kind = change.type === 'created' ? 'c' : change.deletion === 'deleteMarker' ? 'm' : 'p';
  return [
    kind,
    change.bucket,
    change.key,
    change.versionId ?? '',
    change.versionId ? '' : (change.sequencer ?? change.eventTime.toISOString()),
    change.type === 'created' ? (change.etag ?? '') : '',
  ].join('\u0000');
}
