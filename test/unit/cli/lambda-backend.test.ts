/**
 * The AWS path of `strongroom restore` (no --local): the deployed restore Lambda through the restore API.
 * MOCKED: these tests run against aws-sdk-client-mock's LambdaClient, never against AWS — what they prove is
 * the requests the CLI sends (validated by contract/restore-api.ts, as the function validates them), how it
 * polls status while `start` runs, and how it reads the function's answers and errors.
 */
import { InvokeCommand, type InvokeCommandInput, type InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { lambdaBackend, lambdaClient } from '../../../cli/lambda-backend';
import { RestoreRequestSchema, type RestoreStatusResponse } from '../../../contract/restore-api';
import { planResponse, progress, run, statusResponse } from './support';

const lambda = mockClient(LambdaClient);
beforeEach(() => lambda.reset());
afterAll(() => lambda.restore());

/** A payload as the SDK hands it over (a Uint8Array; the SDK's adapter adds only helpers the CLI does not use). */
const encode = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8') as unknown as InvokeCommandOutput['Payload'];
const decode = (input: InvokeCommandInput) => JSON.parse(Buffer.from(input.Payload as Uint8Array).toString('utf8'));

/** A fake restore function: plans, then runs for `passes` status polls, answering as the restore API says. */
function fakeFunction(options: { passes?: number; startAnswers?: 'running' | 'succeeded'; statusesAfterStart?: number } = {}) {
  const requests: Array<{ functionName: string | undefined; request: ReturnType<typeof RestoreRequestSchema.parse> }> = [];
  let polls = 0;
  let releaseStart: (() => void) | undefined;
  const passes = options.passes ?? 2;
  const status = (state: RestoreStatusResponse['state'], done: number): RestoreStatusResponse =>
    statusResponse({ state, progress: progress({ objectsDone: done, bytesDone: done * 1024, skipped: 0 }) });
  lambda.on(InvokeCommand).callsFake(async (input: InvokeCommandInput) => {
    // Every request the CLI sends must be one the function accepts.
    const request = RestoreRequestSchema.parse(decode(input));
    requests.push({ functionName: input.FunctionName, request });
    if (request.action === 'plan') return { StatusCode: 200, Payload: encode(planResponse()) };
    if (request.action === 'start') {
      if (polls < passes) await new Promise<void>((resolve) => (releaseStart = resolve));
      const answer = options.startAnswers ?? 'succeeded';
      // Handed on: the handler says where (the Distributed Map's execution).
      const handedOn =
        answer === 'running' ? { executionArn: 'arn:aws:states:eu-west-1:222222222222:execution:restore:r-mx4test0001' } : {};
      return { StatusCode: 200, Payload: encode({ ...status(answer, answer === 'succeeded' ? 3 : 2), ...handedOn }) };
    }
    polls++;
    if (polls >= passes) releaseStart?.();
    const afterStart = polls - passes;
    const finished = afterStart >= (options.statusesAfterStart ?? 0) && options.startAnswers === 'running';
    return { StatusCode: 200, Payload: encode(status(finished ? 'succeeded' : 'running', Math.min(polls, 3))) };
  });
  return { requests };
}

const ARGV = ['restore', '--bucket', 'acme-invoices', '--as-of', '2026-12-01T03:12:00Z', '--target', 'acme-restore', '--yes'];
const noWait = { openLambda: (o: Parameters<typeof lambdaBackend>[0]) => lambdaBackend({ ...o, sleep: async () => undefined }) };

describe('the AWS path (MOCKED LambdaClient, aws-sdk-client-mock; not run against AWS)', () => {
  it('plans, starts, polls status while the start runs, and reports the result (exit 0)', async () => {
    const fn = fakeFunction({ passes: 2 });
    const { code, out } = await run(ARGV, { deps: noWait });
    expect(code).toBe(0);
    expect(fn.requests.map((r) => [r.functionName, r.request.action])).toEqual([
      ['strongroom-restore', 'plan'],
      ['strongroom-restore', 'start'],
      ['strongroom-restore', 'status'],
      ['strongroom-restore', 'status'],
    ]);
    expect(fn.requests[0]?.request).toEqual({
      action: 'plan',
      sourceBucket: 'acme-invoices',
      asOf: '2026-12-01T03:12:00.000Z',
      targetBucket: 'acme-restore',
      mode: 'state',
    });
    expect(fn.requests[1]?.request).toEqual({ action: 'start', restoreId: 'r-mx4test0001' });
    expect(out).toContain('Plan r-mx4test0001 on restore function strongroom-restore');
    expect(out).toContain('Restored 3 of 3 objects');
  });

  it('a start handed on (state running, to the Distributed Map): says where, and polls status until the restore ends', async () => {
    const fn = fakeFunction({ passes: 1, startAnswers: 'running', statusesAfterStart: 3 });
    const seen: number[] = [];
    const notes: string[] = [];
    const backend = lambdaBackend({
      functionName: 'acme-restore',
      pollMs: 1,
      sleep: async () => undefined,
      onNote: (text) => notes.push(text),
    });
    const result = await backend.start('acme-restore', 'r-mx4test0001', (p) => seen.push(p.objectsDone));
    backend.close();
    expect(result.state).toBe('succeeded');
    expect(notes).toEqual([
      'the restore runs on the Step Functions Distributed Map: arn:aws:states:eu-west-1:222222222222:execution:restore:r-mx4test0001',
    ]);
    expect(fn.requests.map((r) => r.request.action)).toEqual(['start', 'status', 'status', 'status', 'status']);
    expect(seen.length).toBeGreaterThanOrEqual(4);
  });

  it('names the function from --function, --name, or --config (whose restore targets give the default --target)', async () => {
    const fn = fakeFunction({ passes: 0 });
    await run([...ARGV, '--function', 'arn:aws:lambda:eu-west-1:222222222222:function:custom-restore'], { deps: noWait });
    await run([...ARGV, '--name', 'acme'], { deps: noWait });
    const config = `${__dirname}/../../../config/strongroom.local.json`;
    const noTarget = ARGV.filter((a, i) => a !== '--target' && ARGV[i - 1] !== '--target');
    await run([...noTarget, '--config', config], { deps: noWait });
    expect(
      fn.requests
        .filter((r) => r.request.action === 'plan')
        .map((r) => [r.functionName, (r.request as { targetBucket: string }).targetBucket]),
    ).toEqual([
      ['arn:aws:lambda:eu-west-1:222222222222:function:custom-restore', 'acme-restore'],
      ['acme-restore', 'acme-restore'],
      ['strongroom-restore', 'acme-restore'],
    ]);
    const missing = await run(noTarget, { deps: noWait });
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('--target: received (missing), expected the restore target bucket (or --config <file>');
  });

  it('passes --region and --profile to the SDK client, and never retries a start', async () => {
    const client = lambdaClient({ region: 'eu-west-1', profile: 'prod' }, 1);
    expect(await client.config.region()).toBe('eu-west-1');
    expect((client.config as unknown as { profile: string }).profile).toBe('prod');
    expect(await client.config.maxAttempts()).toBe(1);
    client.destroy();
  });

  it("the function's refusal of a request exits 2 with the flag named; any other function error exits 1", async () => {
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: encode({
        errorType: 'RestoreRequestError',
        errorMessage:
          'invalid restore request: targetBucket: received "acme-invoices", expected one of the configured restore targets (acme-restore)',
      }),
    });
    const refused = await run(ARGV, { deps: noWait });
    expect(refused.code).toBe(2);
    expect(refused.err).toContain(
      'strongroom-restore failed: RestoreRequestError: invalid restore request: --target (targetBucket): received "acme-invoices"',
    );

    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: encode({ errorType: 'AccessDenied', errorMessage: 'User is not authorized to perform sts:AssumeRole' }),
    });
    const failed = await run(ARGV, { deps: noWait });
    expect(failed.code).toBe(1);
    expect(failed.err).toContain(
      'strongroom restore: failed: RestoreFunctionError: strongroom-restore failed: AccessDenied: User is not',
    );

    lambda
      .on(InvokeCommand)
      .rejects(Object.assign(new Error('Function not found: strongroom-restore'), { name: 'ResourceNotFoundException' }));
    const missing = await run(ARGV, { deps: noWait });
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('ResourceNotFoundException: Function not found: strongroom-restore');
  });

  it('refuses an answer that is not the restore API (an older function, say) with exit 1', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: encode({ ok: true }) });
    const { code, err } = await run(ARGV, { deps: noWait });
    expect(code).toBe(1);
    expect(err).toContain('InvalidResponse: answered a plan with {"ok":true}, expected {restoreId, summary, manifest}');
  });
});
