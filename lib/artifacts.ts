import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StrongroomConfig } from './config/schema';
import { vaultPolicyModel } from './policy/model';
import { backupAccountScp, renderScp } from './policy/scp';

export const SCP_ARTIFACT_FILE = 'strongroom-backup-account-scp.json';

/**
 * Write the recommended backup-account SCP beside the templates. It is an artifact, not a
 * resource: SCPs are attached from the Organization's management account, never from here.
 */
export function writeScpArtifact(outdir: string, config: StrongroomConfig): string {
  mkdirSync(outdir, { recursive: true });
  const file = join(outdir, SCP_ARTIFACT_FILE);
  writeFileSync(file, `${JSON.stringify(JSON.parse(renderScp(backupAccountScp(vaultPolicyModel(config)))), null, 2)}\n`);
  return file;
}
