import { formatPath } from '../../../contract/errors';
import { ConfigError } from '../../../lib/config/errors';
import { parseConfig } from '../../../lib/config/load';
import { exampleInput } from '../../support/config';

describe('formatPath', () => {
  it('joins plain keys with dots and indexes with brackets', () => {
    expect(formatPath([])).toBe('(top level)');
    expect(formatPath(['primaryAccounts', 0, 'sources', 1, 'bucket'])).toBe('primaryAccounts[0].sources[1].bucket');
    expect(formatPath(['body', 'detail', 'object', 'version-id'])).toBe('body.detail.object.version-id');
  });

  it('quotes a key that is not a plain name, so that no field is unnamed or ambiguous (found by the config fuzz)', () => {
    expect(formatPath([''])).toBe('[""]');
    expect(formatPath(['vault', 'a.b'])).toBe('vault["a.b"]');
    expect(formatPath(['pipeline', ' rpoMinutes'])).toBe('pipeline[" rpoMinutes"]');
    expect(formatPath(['x', '[0]'])).toBe('x["[0]"]');
  });

  it('names an empty key of a config: it used to be reported as the field ""', () => {
    const input = { ...exampleInput(), '': null };
    expect(() => parseConfig(input, 'c')).toThrow(ConfigError);
    try {
      parseConfig(input, 'c');
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([
        expect.objectContaining({ field: '[""]', received: 'null', expected: expect.stringMatching(/^no such key/) }),
      ]);
    }
  });
});
