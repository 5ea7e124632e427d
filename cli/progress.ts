import { SingleBar } from 'cli-progress';
import { notStarted, type RestoreProgress } from '../contract/restore-api';
import { formatBytes } from './format';
import { formatDuration } from './time';

/*
 * The progress bar of a running restore, on stderr (stdout stays for the summary and --json): objects done
 * of those to write, bytes, rate and time to go. Drawn only on a terminal; never with --json.
 */

export interface ProgressDisplay {
  update(progress: RestoreProgress): void;
  stop(): void;
}

const NONE: ProgressDisplay = { update: () => undefined, stop: () => undefined };

export interface ProgressLine {
  readonly objects: string;
  readonly bytes: string;
  readonly rate: string;
  readonly eta: string;
}

/** The bar's figures for one progress report, `elapsedMs` after the restore started. */
export function progressLine(progress: RestoreProgress, elapsedMs: number): ProgressLine {
  const handled = progress.objectsDone + progress.failed;
  const seconds = elapsedMs / 1000;
  const rate = seconds > 0 ? progress.bytesDone / seconds : 0;
  const objectRate = seconds > 0 ? handled / seconds : 0;
  // By bytes when they move; by objects when they are all empty; the service's own figure when it has one.
  const etaSeconds =
    handled >= progress.objects
      ? 0
      : rate > 0 && progress.bytes > 0
        ? (progress.bytes - progress.bytesDone) / rate
        : objectRate > 0
          ? (progress.objects - handled) / objectRate
          : progress.etaSeconds;
  return {
    objects: `${handled}/${progress.objects} objects${progress.failed > 0 ? ` (${progress.failed} failed)` : ''}`,
    bytes: `${formatBytes(progress.bytesDone)}/${formatBytes(progress.bytes)}`,
    rate: `${formatBytes(Math.round(rate))}/s, ${objectRate.toFixed(1)} objects/s`,
    eta: etaSeconds === null ? 'ETA --' : `ETA ${formatDuration(etaSeconds)}`,
  };
}

export function progressDisplay(
  stream: NodeJS.WriteStream,
  enabled: boolean,
  plan: { readonly objects: number; readonly bytes: number },
  now: () => number = Date.now,
): ProgressDisplay {
  if (!enabled || !stream.isTTY) return NONE;
  const started = now();
  const bar = new SingleBar({
    stream,
    format: 'restoring [{bar}] {percentage}% | {objectsText} | {bytesText} | {rateText} | {etaText}',
    barsize: 24,
    hideCursor: true,
    clearOnComplete: false,
    etaBuffer: 20,
  });
  const payload = (p: RestoreProgress) => {
    const line = progressLine(p, now() - started);
    return { objectsText: line.objects, bytesText: line.bytes, rateText: line.rate, etaText: line.eta };
  };
  bar.start(Math.max(plan.objects, 1), 0, {
    ...payload(notStarted(plan.objects, plan.bytes)),
  });
  return {
    update(p) {
      bar.update(Math.min(p.objectsDone + p.failed, Math.max(plan.objects, 1)), payload(p));
    },
    stop() {
      bar.stop();
    },
  };
}
