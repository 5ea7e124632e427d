#!/usr/bin/env -S npx tsx
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { writeScpArtifact } from '../lib/artifacts';
import { reportConfigErrors } from '../lib/config/cli-errors';
import { configPathFromContext } from '../lib/config/context';
import { loadConfig } from '../lib/config/load';
import { ProtectedAccountStack } from '../lib/stacks/protected-account-stack';
import { VaultStack } from '../lib/stacks/vault-stack';

reportConfigErrors(() => {
  const app = new App();
  const config = loadConfig(configPathFromContext(app));
  new VaultStack(app, 'StrongroomVault', {
    env: { account: config.backupAccount.accountId, region: config.region },
    config,
  });
  for (const account of config.primaryAccounts) {
    new ProtectedAccountStack(app, `StrongroomProtected-${account.name}`, {
      env: { account: account.accountId, region: config.region },
      config,
      primaryAccountId: account.accountId,
    });
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  writeScpArtifact(app.outdir, config);
});
