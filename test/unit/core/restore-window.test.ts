/**
 * The restore executor's window: it keeps `concurrency` objects in flight (a new one starts when any is done,
 * not when a whole chunk is), and when its time runs out it stops starting, finishes what it started and
 * reports a cursor before which everything is handled. Removals against a mocked target (no server): each
 * DeleteObject is held until the test lets it go.
 */
import { DeleteObjectCommand, GetBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { executeRestore, RESTORE_OBJECTS_IN_FLIGHT } from '../../../lambda/core/restore-execute';
import type { PlanItem } from '../../../lambda/core/restore-plan';

const extraneous = (n: number): PlanItem[] =>
  Array.from({ length: n }, (_, i) => ({ action: 'extraneous', key: `k${i}`, targetKey: `k${i}`, size: 0 }));

function heldTarget() {
  const client = new S3Client({ region: 'eu-west-1' });
  const mock = mockClient(client);
  mock.on(GetBucketVersioningCommand).resolves({ Status: 'Enabled' });
  let inFlight = 0;
  let maxInFlight = 0;
  const started: string[] = [];
  const waiting: Array<() => void> = [];
  mock.on(DeleteObjectCommand).callsFake(async (input) => {
    started.push(input.Key as string);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise<void>((resolve) => waiting.push(resolve));
    inFlight--;
    return {};
  });
  const releaseOne = () => waiting.shift()?.();
  return { client, started, releaseOne, maxInFlight: () => maxInFlight, waiting };
}

const vault = { client: new S3Client({ region: 'eu-west-1' }), bucket: 'vault' };
const tick = () => new Promise((r) => setImmediate(r));

describe('restore executor window', () => {
  it('starts the next object as soon as one in flight is done, never more than the concurrency', async () => {
    const target = heldTarget();
    const run = executeRestore(
      { vault, target: { client: target.client, bucket: 't' }, removeExtraneous: true, concurrency: 4 },
      extraneous(10),
    );
    while (target.started.length < 4) await tick();
    await tick();
    expect(target.started).toEqual(['k0', 'k1', 'k2', 'k3']);
    // One done: exactly one more starts, while the other three are still held (a chunked loop would wait).
    target.releaseOne();
    while (target.started.length < 5) await tick();
    await tick();
    expect(target.started).toHaveLength(5);
    while (target.started.length < 10 || target.waiting.length > 0) {
      target.releaseOne();
      await tick();
    }
    const result = await run;
    expect(result).toMatchObject({ done: true, next: 10, removed: 10, failed: [] });
    expect(target.maxInFlight()).toBe(4);
  });

  it('out of time, finishes what it started and returns the cursor after it', async () => {
    const target = heldTarget();
    let clock = 10_000;
    const run = executeRestore(
      {
        vault,
        target: { client: target.client, bucket: 't' },
        removeExtraneous: true,
        concurrency: 3,
        remainingMs: () => clock,
        marginMs: 1_000,
      },
      extraneous(20),
      2,
    );
    while (target.started.length < 3) await tick();
    target.releaseOne();
    while (target.started.length < 4) await tick();
    clock = 500; // below the margin: no new object starts
    while (target.waiting.length > 0) {
      target.releaseOne();
      await tick();
    }
    const result = await run;
    expect(target.started).toEqual(['k2', 'k3', 'k4', 'k5']);
    expect(result).toMatchObject({ done: false, next: 6, removed: 4 });
  });

  it('defaults to RESTORE_OBJECTS_IN_FLIGHT objects at once', async () => {
    const target = heldTarget();
    const run = executeRestore(
      { vault, target: { client: target.client, bucket: 't' }, removeExtraneous: true },
      extraneous(RESTORE_OBJECTS_IN_FLIGHT * 2),
    );
    while (target.started.length < RESTORE_OBJECTS_IN_FLIGHT) await tick();
    for (let i = 0; i < 5; i++) await tick();
    expect(target.started).toHaveLength(RESTORE_OBJECTS_IN_FLIGHT);
    while (target.started.length < RESTORE_OBJECTS_IN_FLIGHT * 2 || target.waiting.length > 0) {
      target.releaseOne();
      await tick();
    }
    expect((await run).removed).toBe(RESTORE_OBJECTS_IN_FLIGHT * 2);
  });
});
