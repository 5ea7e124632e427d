/**
 * The local S3 a command (the demo, the drill) started or found: stopped at the end unless --keep, and on
 * Ctrl-C stopped by its own PIDs, even while it is still starting. What is left running is said in a few lines.
 */
import { type LocalS3, stopLocalS3 } from '../local-s3';
import { describeError } from '../outcome';
import type { DemoState } from './demo-steps';
import type { Output } from './steps';

/** What to tell about a local S3 left running: where it is, where its deployment is saved, how to stop it. */
export function leftRunningLines(
  localS3: Pick<LocalS3, 'endpoint' | 'dir'>,
  port: number,
  startedByUs: boolean,
  deploymentFile: string | undefined,
  us = 'the demo',
): string[] {
  const cli = `LOCAL_S3_PORT=${port} npx tsx local/local-s3-cli.ts`;
  const deployment = deploymentFile
    ? [
        `  deployment:        ${deploymentFile} (vault, buckets, roles and keys; mode 0600)`,
        `  its path again:    ${cli} deployment`,
      ]
    : [];
  if (!startedByUs) {
    return [`The local S3 at ${localS3.endpoint} was running before ${us}: left running.`, ...deployment];
  }
  return [
    `The local S3 is left running at ${localS3.endpoint} (state in ${localS3.dir}):`,
    ...deployment,
    `  endpoint and keys: ${cli} env`,
    `  stop it:           ${cli} stop`,
  ];
}

export interface Lifecycle {
  /** Destroys the clients and stops the local S3 if we started it (and --keep was not given); the time it took and what to tell. */
  stop(): Promise<{ ms: number; lines: string[] }>;
  /** Whether Ctrl-C came (the process then exits 130 once the local S3 is stopped). */
  interrupted(): boolean;
}

type LifecycleState = Pick<DemoState, 'localS3' | 'startedLocalS3' | 'starting' | 'clients' | 'deployment' | 'options'>;

export function localS3Lifecycle(state: LifecycleState, keep: boolean, output: Output, us = 'the demo'): Lifecycle {
  const stop = async (): Promise<{ ms: number; lines: string[] }> => {
    for (const client of state.clients.splice(0)) client.destroy();
    const localS3 = state.localS3;
    if (!localS3) return { ms: 0, lines: [] };
    if (!state.startedLocalS3 || keep) {
      return {
        ms: 0,
        lines: leftRunningLines(localS3, state.options.port, state.startedLocalS3, state.deployment?.deploymentFile, us),
      };
    }
    const started = performance.now();
    await stopLocalS3(localS3);
    return { ms: performance.now() - started, lines: [`The local S3 ${us} started is stopped (--keep leaves it running).`] };
  };
  let interrupted = false;
  process.once('SIGINT', () => {
    interrupted = true;
    output.line(`\ninterrupted: stopping the local S3 ${us} started (if it did)`);
    const cleanUp = async () => {
      if (state.starting && !state.startedLocalS3) {
        // interrupted while starting: let the start finish (or fail), then stop whatever it left, by its own PIDs
        await state.starting.catch(() => undefined);
        await stopLocalS3({ port: state.options.port });
      } else {
        for (const line of (await stop()).lines) output.line(line);
      }
    };
    cleanUp().then(
      () => process.exit(130),
      (err: unknown) => {
        console.error(`could not stop the local S3: ${describeError(err)}`);
        process.exit(130);
      },
    );
  });
  return { stop, interrupted: () => interrupted };
}
