import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { CONFIG_CONTEXT_KEY, configPathFromContext } from '../../../lib/config/context';
import { ConfigError } from '../../../lib/config/errors';
import { loadConfig, parseConfig } from '../../../lib/config/load';
import { EXAMPLE_CONFIG_FILE, exampleInput } from '../../support/config';

describe('loadConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strongroom-config-'));

  it('loads the committed example', () => {
    expect(loadConfig(EXAMPLE_CONFIG_FILE).backupAccount.accountId).toBe('111111111111');
  });

  it('names the file and the reason when the file is missing', () => {
    const missing = join(dir, 'absent.json');
    expect(() => loadConfig(missing)).toThrow(ConfigError);
    expect(() => loadConfig(missing)).toThrow(
      `${missing}: 1 problem:\n  - (file): received "${missing}", expected a readable JSON config file`,
    );
  });

  it('names the JSON syntax error', () => {
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{ "region": "eu-west-1", }');
    expect(() => loadConfig(broken)).toThrow(/\(file\): received invalid JSON \(.+\), expected a JSON object/);
  });
});

describe('configPathFromContext', () => {
  it('resolves the path named in context', () => {
    const app = new App({ context: { [CONFIG_CONTEXT_KEY]: 'config/strongroom.example.json' } });
    expect(configPathFromContext(app)).toMatch(/config\/strongroom\.example\.json$/);
  });

  it('refuses a missing context value with the key to set', () => {
    const app = new App();
    expect(() => configPathFromContext(app)).toThrow(
      'context "strongroom:config": received undefined, expected the path of a config file (set it in cdk.json or pass -c strongroom:config=<file>)',
    );
  });
});

describe('the vault bucket policy size', () => {
  const accounts = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      accountId: String(222222222222 + i),
      name: `acct${i}`,
      sources: [{ bucket: `acme-source-${i}` }],
    }));

  it('accepts as many primary accounts as fit S3\u2019s 20 KB, and refuses one more, naming the field and how many fit', () => {
    const input = exampleInput();
    expect(() => parseConfig({ ...input, primaryAccounts: accounts(3) })).not.toThrow();
    const error = (() => {
      try {
        parseConfig({ ...input, primaryAccounts: accounts(4) });
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('expected a refusal');
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.problems).toEqual([
      {
        field: 'primaryAccounts',
        received: expect.stringMatching(/^4 accounts \(a vault bucket policy of \d+ bytes\)$/),
        expected: expect.stringContaining('at most 3 primary accounts per vault: S3 refuses a bucket policy over 20480 bytes'),
      },
    ]);
  });
});
