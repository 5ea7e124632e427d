import '../handlers/powertools-env';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { parseCopierEnv } from '../../../lambda/adapters/env';
import { InputValidationError } from '../../../lambda/core/errors';
import { type CopierClients, copyEvents } from '../../../lambda/handlers/copier';
import { COMMON_ENV, lambdaContext, observability, rejection } from '../handlers/fixtures';

/*
 * Each bug the fuzz suites found, reproduced by the smallest input that showed it, next to the fix's promise.
 */

describe('copier handler: an invocation that is not an SQS batch', () => {
  const env = parseCopierEnv({
    ...COMMON_ENV,
    INGEST_ROLE_ARN: 'arn:aws:iam::111111111111:role/strongroom-ingest-222222222222',
    DEAD_LETTER_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/222222222222/strongroom-events-dlq',
  });
  const clients: CopierClients = {
    source: new S3Client({ region: 'eu-west-1' }),
    vault: new S3Client({ region: 'eu-west-1' }),
    sqs: new SQSClient({ region: 'eu-west-1' }),
  };
  const mocks = [mockClient(clients.source), mockClient(clients.vault), mockClient(clients.sqs)];

  it.each([
    [{}, /Records: received \(missing\), expected the batch of SQS records/],
    [null, /\(top level\): received null, expected an SQS event \{Records: \[\.\.\.\]\}/],
    [{ Records: 'x' }, /Records: received "x", expected the batch of SQS records/],
    [{ Records: [null] }, /Records\[0\]: received null, expected an SQS record \{messageId, body, \.\.\.\}/],
    [{ Records: [{ messageId: 'm-1', body: 7 }] }, /Records\[0\]\.body: received 7, expected the SQS message body/],
  ])('refuses %j naming the field (it used to throw a TypeError), reading and writing nothing', async (event, message) => {
    const o = observability('copier');
    const error = await rejection(() =>
      copyEvents(event as unknown as SQSEvent, lambdaContext('strongroom-copier'), {
        env: () => env,
        clients: () => clients,
        logger: o.logger,
        metrics: o.metrics,
      }),
    );
    expect(error).toBeInstanceOf(InputValidationError);
    expect(error.message).toMatch(message);
    for (const m of mocks) expect(m.calls()).toHaveLength(0);
  });
});
