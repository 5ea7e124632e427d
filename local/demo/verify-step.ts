/**
 * The demo's `verify` step, once the backup has run and before the attack: the proof a platform team wants
 * before it ever needs a restore. `strongroom verify --local` runs every check the local S3 can evaluate
 * (the others are SKIPPED, each saying why), rehearses a restore of a sample (the drill), files the JSON and
 * HTML report write-once in the vault as the evidence writer, and writes the HTML beside the demo's files.
 *
 * Only types come from demo-steps.ts (which lists this step): no import cycle at run time.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capturedIo } from '../../cli/io';
import { main as strongroom } from '../../cli/main';
import { StrongroomError } from '../../contract/errors';
import type { VerifyReport } from '../../contract/verify-report';
import type { DemoState } from './demo-steps';
import type { Step } from './steps';

export class VerifyStepError extends StrongroomError {
  override name = 'VerifyStepError';
}

export const verifyStep: Step<DemoState> = {
  name: 'verify',
  attempts: 'the platform team: strongroom verify — are the backups real, locked and restorable?',
  async run(state, recorder) {
    const d = state.deployment;
    if (!d) throw new VerifyStepError("needs the deployment from step 'provision', which did not run");
    const dir = join(tmpdir(), 'strongroom-demo');
    mkdirSync(dir, { recursive: true });
    const html = join(dir, `verify-${d.name}.html`);
    const argv = ['verify', '--local', '--deployment', d.deploymentFile, '--yes', '--json', '--html', html];
    recorder.note(`strongroom ${argv.join(' ').replace(d.deploymentFile, '<deployment file>')}`);
    const io = capturedIo();
    const code = await strongroom(argv, { io });
    const report = JSON.parse(io.stdout.join('') || 'null') as VerifyReport | null;
    if (!report) throw new VerifyStepError(`strongroom verify exited ${code} without a report: ${io.stderr.join('').trim()}`);
    for (const c of report.checks) {
      recorder.record({
        actor: `verify (${c.ranAs})`,
        action: c.id,
        expected: 'PASS, or SKIPPED where the local S3 cannot show it',
        outcome: `${c.status}: ${c.summary}`,
        held: c.status === 'PASS' || c.status === 'SKIPPED',
        protection: false,
      });
    }
    recorder.note(`report filed in the vault: ${report.filed?.json ?? report.filingError}`);
    recorder.note(`HTML report: ${html}`);
    const { summary } = report;
    return `${summary.status}: ${summary.pass} pass, ${summary.warn} warn, ${summary.fail} fail, ${summary.skipped} skipped; HTML report ${html}`;
  },
};
