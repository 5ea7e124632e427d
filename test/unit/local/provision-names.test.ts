import { loadConfig, parseConfig } from '../../../lib/config/load';
import { vaultPolicyModel } from '../../../lib/policy/model';
import { assertProvisionable, defaultLocalMapping, ProvisionError, uniqueDeploymentName } from '../../../local/provision';
import { assertMappingCovers } from '../../../local/rgw-policy-mapping';
import { exampleInput, twoAccountConfig } from '../../support/config';

const LOCAL_CONFIG = `${__dirname}/../../../config/strongroom.local.json`;
const tenants = { tenants: { primary: { tenant: 'primary' }, backup: { tenant: 'backup' } } } as never;

describe('uniqueDeploymentName', () => {
  it('is a valid config name (2-20 of [a-z0-9-], starting with a letter), recognisable, and different every time', () => {
    const names = new Set(Array.from({ length: 200 }, () => uniqueDeploymentName('demo')));
    expect(names.size).toBe(200);
    for (const name of names) expect(name).toMatch(/^demo-[a-z0-9]{10}$/);
    for (const label of ['A very long label, with spaces!', '9lives', '', '---']) {
      expect(uniqueDeploymentName(label)).toMatch(/^[a-z][a-z0-9-]{1,19}$/);
    }
  });
});

describe('defaultLocalMapping', () => {
  it('maps the accounts to the two tenants and every bucket to a name prefixed with the deployment name', () => {
    const config = { ...loadConfig(LOCAL_CONFIG), name: 'demo-abc' };
    const mapping = defaultLocalMapping(config, tenants);
    expect(mapping.tenants).toEqual({ '111111111111': 'backup', '222222222222': 'primary' });
    const aws = vaultPolicyModel(config);
    expect(mapping.buckets).toEqual({
      [aws.vaultBucket]: 'demo-abc-vault',
      [aws.vaultLogBucket]: 'demo-abc-vault-logs',
      'acme-invoices': 'demo-abc-acme-invoices',
      'acme-restore': 'demo-abc-acme-restore',
    });
    expect(() => assertMappingCovers(config, mapping)).not.toThrow();
  });

  it('keeps long bucket names within 63 characters', () => {
    const input = exampleInput();
    const long = `b${'x'.repeat(61)}z`;
    (input.primaryAccounts[0] as { sources: { bucket: string }[] }).sources = [{ bucket: long }];
    const config = { ...parseConfig(input), name: 'demo-abcdefghij' };
    const local = defaultLocalMapping(config, tenants).buckets[long] as string;
    expect(local.length).toBeLessThanOrEqual(63);
    expect(local).toMatch(/^demo-abcdefghij-bx+$/);
  });

  it('refuses a config with more primary accounts than the local S3 has tenants, before anything starts', () => {
    expect(() => assertProvisionable(twoAccountConfig())).toThrow(ProvisionError);
    expect(() => assertProvisionable(twoAccountConfig())).toThrow(
      "provisioning failed at step 'map accounts to tenants' for config 'strongroom': the local S3 has one primary tenant, the config lists 2 primary accounts: use a config with one",
    );
  });
});
