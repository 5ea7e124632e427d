/**
 * A vault for the drill's integration tests: provisioned on the integ run's local S3, then backed up, sealed
 * and given a report by the drill's own setup steps (local/drill/seed-steps.ts), so the tests attack what
 * `npm run drill` attacks.
 */
import { initialState } from '../../../local/demo/demo-steps';
import { runSteps } from '../../../local/demo/steps';
import { SEED_STEPS } from '../../../local/drill/seed-steps';
import type { LocalDeployment } from '../../../local/provision';
import { integLocalS3 } from './env';
import { LOCAL_CONFIG_FILE, localConfig, provisionForTest } from './vault';

export async function seededDeployment(label: string): Promise<LocalDeployment> {
  const d = await provisionForTest(label);
  const state = initialState({ configFile: LOCAL_CONFIG_FILE, config: localConfig(), port: integLocalS3().port });
  state.deployment = d;
  const lines: string[] = [];
  const report = await runSteps(SEED_STEPS, state, { colour: false, line: (text) => lines.push(text) });
  for (const client of state.clients.splice(0)) client.destroy();
  if (!report.ok) throw new Error(`seeding ${d.name} failed:\n${lines.join('\n')}`);
  return d;
}
