import { InputValidationError } from '../../../lambda/core/errors';
import { changeIdentity, parseSourceChange } from '../../../lambda/core/source-change';
import { ACCOUNT, BUCKET, s3Event } from './support';

const scope = { account: ACCOUNT, sources: [{ bucket: BUCKET }, { bucket: 'acme-prod-uploads', prefixes: ['customer/'] }] };
const parse = (event: unknown) => parseSourceChange(JSON.stringify(event), scope, 'SQS record m-1');

function refusal(body: string): InputValidationError {
  try {
    parseSourceChange(body, scope, 'SQS record m-1');
  } catch (error) {
    if (error instanceof InputValidationError) return error;
    throw error;
  }
  throw new Error('expected the record to be refused');
}

describe('parseSourceChange', () => {
  it('reads a new version of a versioned source', () => {
    const change = parse(s3Event('Object Created', { key: 'a.txt', size: 3, etag: 'e1', 'version-id': 'v1', sequencer: '0A' }));
    expect(change).toEqual({
      type: 'created',
      bucket: BUCKET,
      key: 'a.txt',
      versionId: 'v1',
      etag: 'e1',
      sequencer: '0A',
      eventTime: new Date('2026-11-29T10:00:00Z'),
      origin: 'event',
    });
  });

  it('reads "null" version ids as an unversioned source', () => {
    const change = parse(s3Event('Object Created', { key: 'a.txt', etag: 'e1', 'version-id': 'null', sequencer: '0A' }));
    expect(change).toMatchObject({ type: 'created', versionId: null });
  });

  it('tells a delete marker from a permanent deletion', () => {
    expect(
      parse(
        s3Event('Object Deleted', { key: 'a', 'version-id': 'm1', sequencer: '0B' }, { deletionType: 'Delete Marker Created' }),
      ),
    ).toMatchObject({
      type: 'deleted',
      deletion: 'deleteMarker',
      versionId: 'm1',
    });
    expect(
      parse(s3Event('Object Deleted', { key: 'a', sequencer: '0C' }, { deletionType: 'Permanently Deleted' })),
    ).toMatchObject({
      type: 'deleted',
      deletion: 'permanent',
      versionId: null,
    });
  });

  it("accepts the reconciler's messages, which use the same shape", () => {
    const event = { ...s3Event('Object Created', { key: 'a', 'version-id': 'v1' }), source: 'strongroom.reconciler' };
    expect(parse(event)).toMatchObject({ origin: 'reconciler', sequencer: null });
  });

  it.each([
    ['not JSON', '{oops', 'body: received "{oops", expected an EventBridge S3 event, as JSON'],
    [
      'another source',
      JSON.stringify({ ...s3Event('Object Created', { key: 'a' }), source: 'aws.ec2' }),
      'body.source: received "aws.ec2", expected "aws.s3" or "strongroom.reconciler"',
    ],
    [
      'another detail type',
      JSON.stringify({ ...s3Event('Object Created', { key: 'a' }), 'detail-type': 'Object Restore Completed' }),
      'body.detail-type: received "Object Restore Completed", expected "Object Created" or "Object Deleted"',
    ],
    [
      'an empty key',
      JSON.stringify(s3Event('Object Created', { key: '' })),
      'body.detail.object.key: received "", expected a non-empty object key',
    ],
    [
      'a bad time',
      JSON.stringify({ ...s3Event('Object Created', { key: 'a' }), time: 'yesterday' }),
      'body.time: received "yesterday", expected the event time, ISO-8601 in UTC',
    ],
    [
      'a non-hex sequencer',
      JSON.stringify(s3Event('Object Created', { key: 'a', sequencer: 'xyz' })),
      'body.detail.object.sequencer: received "xyz", expected a hex sequencer',
    ],
    [
      'another account',
      JSON.stringify(s3Event('Object Created', { key: 'a' }, { account: '999999999999' })),
      'body.account: received "999999999999", expected this account (222222222222)',
    ],
    [
      'an unconfigured bucket',
      JSON.stringify(s3Event('Object Created', { key: 'a' }, { bucket: 'someone-else' })),
      'body.detail.bucket.name: received "someone-else", expected one of the configured sources (acme-prod-invoices, acme-prod-uploads)',
    ],
    [
      'a key outside the prefixes',
      JSON.stringify(s3Event('Object Created', { key: 'private/x' }, { bucket: 'acme-prod-uploads' })),
      'body.detail.object.key: received "private/x", expected a key under the configured prefixes of acme-prod-uploads (customer/)',
    ],
    [
      'a deletion without its type',
      JSON.stringify(s3Event('Object Deleted', { key: 'a' })),
      'body.detail.deletion-type: received (missing), expected "Permanently Deleted" or "Delete Marker Created"',
    ],
    [
      'a delete marker without its id',
      JSON.stringify(s3Event('Object Deleted', { key: 'a' }, { deletionType: 'Delete Marker Created' })),
      'body.detail.object.version-id: received (missing), expected the id of the delete marker created',
    ],
  ])('refuses %s, naming the field, the value and the expectation', (_what, body, expected) => {
    const error = refusal(body);
    expect(error.message).toContain('invalid SQS record m-1: ');
    expect(error.message).toContain(expected);
  });

  it('gives the same identity to the same change delivered twice, and different ones to different changes', () => {
    const a = parse(s3Event('Object Created', { key: 'a', 'version-id': 'v1', sequencer: '01' }));
    const again = parse(
      s3Event('Object Created', { key: 'a', 'version-id': 'v1', sequencer: '01' }, { time: '2026-11-29T11:00:00Z' }),
    );
    const b = parse(s3Event('Object Created', { key: 'a', 'version-id': 'v2', sequencer: '02' }));
    const unversioned1 = parse(s3Event('Object Created', { key: 'a', etag: 'e1', sequencer: '03' }));
    const unversioned2 = parse(s3Event('Object Created', { key: 'a', etag: 'e2', sequencer: '04' }));
    expect(changeIdentity(a)).toBe(changeIdentity(again));
    expect(new Set([a, b, unversioned1, unversioned2].map(changeIdentity)).size).toBe(4);
  });
});
