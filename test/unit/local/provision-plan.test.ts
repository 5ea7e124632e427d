import { loadConfig } from '../../../lib/config/load';
import { PRIMARY_ROLE_KINDS } from '../../../lib/policy/primary-roles';
import { VAULT_ROLE_KINDS } from '../../../lib/policy/vault-roles';
import { planLocalDeployment } from '../../../local/provision/plan';
import { forEachFunctionRole, forEachVaultRole, ProvisionError, step } from '../../../local/provision/step';

const LOCAL_CONFIG = `${__dirname}/../../../config/strongroom.local.json`;
const tenants = { tenants: { primary: { tenant: 'primary' }, backup: { tenant: 'backup' } } } as never;

describe('forEachFunctionRole / forEachVaultRole', () => {
  it('run once per kind and key every value by its kind, in the order of the kind lists', async () => {
    const made: string[] = [];
    const functions = await forEachFunctionRole(async (kind) => {
      made.push(kind);
      return `user of ${kind}`;
    });
    expect(made).toEqual(PRIMARY_ROLE_KINDS);
    expect(Object.entries(functions)).toEqual(PRIMARY_ROLE_KINDS.map((kind) => [kind, `user of ${kind}`]));
    const roles = await forEachVaultRole(async (kind) => kind.length);
    expect(Object.entries(roles)).toEqual(VAULT_ROLE_KINDS.map((kind) => [kind, kind.length]));
  });

  it('reject with the first failure and leave no rejection unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const failing = forEachFunctionRole(async (kind) => {
        if (kind === 'restore') throw new Error('restore failed first');
        if (kind === 'verify') {
          await new Promise((resolve) => setTimeout(resolve, 5));
          throw new Error('verify failed later');
        }
        return kind;
      });
      await expect(failing).rejects.toThrow('restore failed first');
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('step', () => {
  it('turns a failure into a ProvisionError naming the step and the resource', async () => {
    const failed = step('create bucket', 'bucket primary:b', () => Promise.reject(new Error('BucketAlreadyExists')));
    await expect(failed).rejects.toThrow(ProvisionError);
    await expect(failed).rejects.toThrow("provisioning failed at step 'create bucket' for bucket primary:b: ");
  });
});

describe('planLocalDeployment', () => {
  it('names the vault and every primary bucket after the deployment, and says how each tenant addresses them', () => {
    const config = loadConfig(LOCAL_CONFIG);
    const plan = planLocalDeployment(tenants, config, 'demo-abc');
    expect(plan.config).toEqual({ ...config, name: 'demo-abc' });
    expect(plan.backupTenant).toBe('backup');
    expect(plan.primaryTenant).toBe('primary');
    expect(plan.vault).toEqual({
      configured: expect.any(String),
      name: 'demo-abc-vault',
      tenant: 'backup',
      address: 'backup:demo-abc-vault',
      mode: 'COMPLIANCE',
      retentionDays: config.vault.objectLock.retentionDays,
    });
    expect(plan.sources).toEqual([
      {
        configured: 'acme-invoices',
        name: 'demo-abc-acme-invoices',
        tenant: 'primary',
        address: 'primary:demo-abc-acme-invoices',
      },
    ]);
    expect(plan.restoreTargets).toEqual([
      { configured: 'acme-restore', name: 'demo-abc-acme-restore', tenant: 'primary', address: 'primary:demo-abc-acme-restore' },
    ]);
    expect(plan.primaryLocal.sources.map((s) => s.bucket)).toEqual(['demo-abc-acme-invoices']);
  });
});
