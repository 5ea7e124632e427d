import { CliUsageError } from '../../../cli/errors';
import { describeInstant, formatDuration, formatInstant, formatRelative, parseInstant } from '../../../cli/time';
import { NOW } from './support';

const parse = (text: string) => parseInstant('--as-of', text, NOW);

function refusal(text: string): { field: string; received: string; expected: string } {
  try {
    parse(text);
  } catch (error) {
    if (error instanceof CliUsageError) return error.problems[0] as never;
    throw error;
  }
  throw new Error(`${text} was accepted`);
}

describe('parseInstant (now = 2026-12-01T05:12:00Z)', () => {
  it.each([
    ['2026-12-01T03:12:00Z', '2026-12-01T03:12:00Z', '2 hours ago'],
    ['2026-12-01T03:12:00.250Z', '2026-12-01T03:12:00.250Z', '2 hours ago'],
    ['2026-12-01T04:12:00+01:00', '2026-12-01T03:12:00Z', '2 hours ago'],
    ['2026-12-01 03:12', '2026-12-01T03:12:00Z', '2 hours ago'],
    ['2026-12-01T03:12:00', '2026-12-01T03:12:00Z', '2 hours ago'],
    ['2h ago', '2026-12-01T03:12:00Z', '2 hours ago'],
    ['2 hours ago', '2026-12-01T03:12:00Z', '2 hours ago'],
    ['90 minutes ago', '2026-12-01T03:42:00Z', '1 hour 30 minutes ago'],
    ['2h30m ago', '2026-12-01T02:42:00Z', '2 hours 30 minutes ago'],
    ['3 days ago', '2026-11-28T05:12:00Z', '3 days ago'],
    ['yesterday 14:00', '2026-11-30T14:00:00Z', '15 hours 12 minutes ago'],
    ['yesterday 14:00 UTC', '2026-11-30T14:00:00Z', '15 hours 12 minutes ago'],
    ['yesterday 14:00 CET', '2026-11-30T13:00:00Z', '16 hours 12 minutes ago'],
    ['today 03:00', '2026-12-01T03:00:00Z', '2 hours 12 minutes ago'],
    ['  now  ', '2026-12-01T05:12:00Z', 'just now'],
  ])('%j is %s (%s)', (text, iso, relative) => {
    const instant = parse(text);
    expect(instant).toEqual({ input: text, date: new Date(iso), iso, relative });
    expect(describeInstant(instant)).toBe(`${iso} (${relative})`);
  });

  it('reads times without a zone as UTC whatever the machine says (TZ=America/New_York, Asia/Kolkata)', () => {
    const saved = process.env.TZ;
    try {
      for (const tz of ['America/New_York', 'Asia/Kolkata']) {
        process.env.TZ = tz;
        expect(parse('yesterday 14:00').iso).toBe('2026-11-30T14:00:00Z');
        expect(parse('2026-12-01 03:12').iso).toBe('2026-12-01T03:12:00Z');
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it.each([['yesterdayy'], ['foo 2h ago'], ['2h ago please'], [''], ['   '], ['2pm - 3pm']])(
    'refuses %j naming the flag, the value and the forms it takes',
    (text) => {
      expect(refusal(text)).toEqual({
        field: '--as-of',
        received: JSON.stringify(text),
        expected: expect.stringContaining(
          'an ISO-8601 instant such as "2026-12-01T03:12:00Z", or a relative time such as "2h ago"',
        ),
      });
    },
  );

  it.each([['yesterday'], ['today'], ['2026-12-01'], ['Dec 1'], ['last monday']])(
    'refuses a day without a time of day (%j): chrono would make one up',
    (text) => {
      expect(refusal(text)).toEqual({
        field: '--as-of',
        received: JSON.stringify(text),
        expected: `a time of day as well (e.g. "${text} 14:00", UTC unless a zone is given): a day alone is ambiguous`,
      });
    },
  );

  it('refuses an instant in the future, echoing what it understood', () => {
    expect(refusal('in 2 hours')).toEqual({
      field: '--as-of',
      received: '"in 2 hours" (2026-12-01T07:12:00Z, in 2 hours)',
      expected: 'an instant not in the future (now is 2026-12-01T05:12:00Z)',
    });
    expect(refusal('tomorrow 10:00').received).toBe('"tomorrow 10:00" (2026-12-02T10:00:00Z, in 1 day 4 hours)');
  });

  it('names the flag it parses for', () => {
    expect(() => parseInstant('--distrust-writes-after', 'soon-ish', NOW)).toThrow(
      /^--distrust-writes-after: received "soon-ish", expected an ISO-8601 instant/,
    );
  });
});

describe('formatting', () => {
  it('durations in their two largest units', () => {
    expect(formatDuration(0)).toBe('0 seconds');
    expect(formatDuration(1)).toBe('1 second');
    expect(formatDuration(59.6)).toBe('1 minute');
    expect(formatDuration(7530)).toBe('2 hours 5 minutes');
    expect(formatDuration(7201)).toBe('2 hours');
    expect(formatDuration(86_400 * 3 + 3600 * 4 + 61)).toBe('3 days 4 hours');
  });

  it('instants in UTC, milliseconds only when there are some; relative to now both ways', () => {
    expect(formatInstant(new Date('2026-12-01T03:12:00.000Z'))).toBe('2026-12-01T03:12:00Z');
    expect(formatInstant(new Date('2026-12-01T03:12:00.007Z'))).toBe('2026-12-01T03:12:00.007Z');
    expect(formatRelative(new Date('2026-12-01T05:11:15Z'), NOW)).toBe('45 seconds ago');
    expect(formatRelative(new Date('2026-12-01T05:12:00.400Z'), NOW)).toBe('just now');
    expect(formatRelative(new Date('2026-12-01T05:15:00Z'), NOW)).toBe('in 3 minutes');
  });
});
