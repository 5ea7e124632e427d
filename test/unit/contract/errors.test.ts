import { z } from 'zod';
import { describeValue, formatPath, problemsFromIssues, valueAt } from '../../../contract/errors';
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

describe('describeValue', () => {
  it('shows NaN and Infinity as themselves, not as the null JSON would print', () => {
    expect(describeValue(Number.NaN)).toBe('NaN');
    expect(describeValue(-Infinity)).toBe('-Infinity');
    expect(describeValue(null)).toBe('null');
  });
});

describe('problemsFromIssues', () => {
  const Request = z.discriminatedUnion('action', [
    z.strictObject({ action: z.literal('start'), id: z.string() }),
    z.strictObject({ action: z.literal('status'), id: z.string() }),
  ]);
  const problems = (input: unknown) => {
    const parsed = Request.safeParse(input, { reportInput: true });
    return parsed.success ? [] : problemsFromIssues(parsed.error.issues, input);
  };

  it("reports the discriminator's own value, not the whole request zod hands over (found by the restore fuzz)", () => {
    expect(problems({ action: 0, id: 'r-1' })).toEqual([expect.objectContaining({ field: 'action', received: '0' })]);
    expect(problems({ id: 'r-1' })).toEqual([expect.objectContaining({ field: 'action', received: '(missing)' })]);
  });

  it('never takes an inherited property for the value received', () => {
    expect(valueAt({}, ['constructor'])).toBeUndefined();
    expect(problems({ action: 'start' })).toEqual([expect.objectContaining({ field: 'id', received: '(missing)' })]);
  });
});
