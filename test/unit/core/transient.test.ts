/**
 * Bodies that break after the SDK has let go of a request: a whole-object read starts over when its body is
 * cut short (ECONNRESET "aborted", as Node reports a response shorter than its Content-Length), a bounded
 * number of times, and never for an error another try cannot fix.
 */
import { Readable } from 'node:stream';
import { GetObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { isTransient } from '../../../lambda/core/s3-errors';
import { getWhole, retryTransient, TRANSIENT_ATTEMPTS } from '../../../lambda/core/transient';

const s3 = new S3Client({ region: 'eu-west-1' });
const mock = mockClient(s3);
afterEach(() => mock.reset());

/** A body that yields `first` bytes, then fails as a connection lost mid-body does. */
function cutShort(first: string): Readable {
  return new Readable({
    read() {
      this.push(Buffer.from(first));
      this.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
    },
  });
}

const whole = (text: string) => Readable.from([Buffer.from(text)]);
const accessDenied = () =>
  new S3ServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'denied' });

describe('getWhole', () => {
  it('starts over when the body breaks, and returns the whole body of the try that finished', async () => {
    mock
      .on(GetObjectCommand)
      .resolvesOnce({ Body: cutShort('{"par') as never })
      .resolvesOnce({ Body: whole('{"partial":false}') as never, Metadata: { sha256: 'x' } });
    const { body, output } = await getWhole(s3, { Bucket: 'b', Key: 'k' }, 1024);
    expect(body.toString()).toBe('{"partial":false}');
    expect(output.Metadata).toEqual({ sha256: 'x' });
    expect(mock.commandCalls(GetObjectCommand)).toHaveLength(2);
  });

  it(`gives up after ${TRANSIENT_ATTEMPTS} broken bodies, with the last error`, async () => {
    mock.on(GetObjectCommand).callsFake(() => ({ Body: cutShort('{') }));
    await expect(getWhole(s3, { Bucket: 'b', Key: 'k' }, 1024)).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(mock.commandCalls(GetObjectCommand)).toHaveLength(TRANSIENT_ATTEMPTS);
  });

  it('does not try again what another try cannot fix (AccessDenied)', async () => {
    mock.on(GetObjectCommand).rejects(accessDenied());
    await expect(getWhole(s3, { Bucket: 'b', Key: 'k' }, 1024)).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(mock.commandCalls(GetObjectCommand)).toHaveLength(1);
  });
});

describe('isTransient', () => {
  it.each([
    ['a reset', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['a timeout', Object.assign(new Error('timed out'), { name: 'TimeoutError' })],
    ['503 SlowDown', new S3ServiceException({ name: 'SlowDown', $fault: 'server', $metadata: { httpStatusCode: 503 } })],
    ['500', new S3ServiceException({ name: 'InternalError', $fault: 'server', $metadata: { httpStatusCode: 500 } })],
    ['a reset as the cause', new Error('read failed', { cause: Object.assign(new Error('aborted'), { code: 'ECONNRESET' }) })],
  ])('%s is transient', (_, error) => expect(isTransient(error)).toBe(true));

  it.each([
    ['AccessDenied', accessDenied()],
    ['a plain error', new Error('bad input')],
    ['not an error', 'ECONNRESET'],
  ])('%s is not', (_, error) => expect(isTransient(error)).toBe(false));
});

describe('retryTransient', () => {
  it('returns the first success', async () => {
    let calls = 0;
    const value = await retryTransient(async () => {
      calls++;
      if (calls === 1) throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
      return 'done';
    });
    expect({ value, calls }).toEqual({ value: 'done', calls: 2 });
  });
});
