import { ProblemsError } from '../../../../contract/errors';
import { parseAwsCron, scheduleInterval } from '../../../../lambda/core/verify/aws-checks-schedule';

const NOW = new Date('2026-03-10T12:00:00Z');
const HOUR = 3_600_000;
const fires = (expression: string, day: string) => parseAwsCron(expression).firesOn(new Date(`${day}T00:00:00Z`));
const intervalHours = (expression: string) => {
  const interval = scheduleInterval(parseAwsCron(expression), NOW);
  return interval && interval.intervalMs / HOUR;
};

describe('the backup plan interval, from its AWS cron schedule', () => {
  it.each([
    ['cron(0 3 * * ? *)', 24, 'daily at 03:00'],
    ['cron(0 */6 * * ? *)', 6, 'every six hours'],
    ['cron(15 1,13 * * ? *)', 12, 'twice a day'],
    ['cron(0 3 ? * MON-FRI *)', 72, 'weekdays: the weekend is the longest gap'],
    ['cron(0 3 ? * 2-6 *)', 72, 'weekdays by number (1 is Sunday)'],
    ['cron(0 3 ? * sun *)', 168, 'weekly, a lower-case name'],
    ['cron(0 5 1 * ? *)', 31 * 24, 'monthly on the 1st: 31 days after a long month'],
    ['cron(0 5 L * ? *)', 31 * 24, 'the last day of each month'],
    ['cron(0 5 ? * 6#1 *)', 35 * 24, 'the first Friday of each month'],
    ['cron(0 0 1 1/3 ? *)', 92 * 24, 'quarterly, a month step'],
  ])('%s: %s hours (%s)', (expression, hours) => {
    expect(intervalHours(expression)).toBe(hours);
  });

  it('counts the fire times it measured over, a year either side of now', () => {
    expect(scheduleInterval(parseAwsCron('cron(0 3 * * ? *)'), NOW)?.fires).toBe(733);
  });

  it('is null for a schedule that fires fewer than twice in that window (a year field that has run out)', () => {
    expect(scheduleInterval(parseAwsCron('cron(0 3 * * ? 2020-2023)'), NOW)).toBeNull();
    expect(scheduleInterval(parseAwsCron('cron(0 3 10 3 ? 2026)'), NOW)).toBeNull();
    expect(intervalHours('cron(0 3 * * ? 2026-2027)')).toBe(24);
  });

  it.each([
    // 2026-03-15 is a Sunday: 15W is Monday the 16th. 2026-08-01 is a Saturday: 1W is Monday the 3rd.
    ['cron(0 5 15W * ? *)', '2026-03-16', true],
    ['cron(0 5 15W * ? *)', '2026-03-15', false],
    ['cron(0 5 1W * ? *)', '2026-08-03', true],
    ['cron(0 5 1W * ? *)', '2026-07-31', false],
    // 2026-05-31 is a Sunday: the last weekday of May is Friday the 29th.
    ['cron(0 5 LW * ? *)', '2026-05-29', true],
    ['cron(0 5 LW * ? *)', '2026-05-31', false],
    ['cron(0 5 L * ? *)', '2028-02-29', true],
    // The last Friday of March 2026 is the 27th; the second Monday is the 9th.
    ['cron(0 5 ? * 6L *)', '2026-03-27', true],
    ['cron(0 5 ? * FRIL *)', '2026-03-20', false],
    ['cron(0 5 ? * MON#2 *)', '2026-03-09', true],
    ['cron(0 5 ? * 2#2 *)', '2026-03-02', false],
    ['cron(0 5 ? * L *)', '2026-03-14', true],
    ['cron(0 5 * JAN,JUL ? *)', '2026-07-04', true],
    ['cron(0 5 * JAN,JUL ? *)', '2026-06-04', false],
  ])('%s fires on %s: %s', (expression, day, expected) => {
    expect(fires(expression, day)).toBe(expected);
  });

  it('fires at each minute of its hours and minutes, in order', () => {
    expect(parseAwsCron('cron(0/20 8-9 * * ? *)').minutesOfDay).toEqual([480, 500, 520, 540, 560, 580]);
  });

  it.each([
    ['rate(1 day)', '"cron(m h dom mon dow year)" with six fields'],
    ['cron(0 3 * * ?)', '"cron(m h dom mon dow year)" with six fields'],
    ['cron(0 3 * * * *)', '"?" in exactly one of day-of-month and day-of-week'],
    ['cron(0 3 ? * ? *)', '"?" in exactly one of day-of-month and day-of-week'],
    ['cron(60 3 * * ? *)', 'AWS cron syntax: "60" is not a minutes value (0-59)'],
    ['cron(0 3 32 * ? *)', 'AWS cron syntax: "32" is not a day-of-month value (1-31)'],
    ['cron(0 3 ? * FUNDAY *)', 'AWS cron syntax: "FUNDAY" is not a day-of-week value (1-7 or a name)'],
    ['cron(0 3 ? * 8 *)', 'AWS cron syntax: "8" is not a day-of-week value (1-7 or a name)'],
    ['cron(0 3 * 13 ? *)', 'AWS cron syntax: "13" is not a month value (1-12 or a name)'],
    ['cron(0 9-5 * * ? *)', 'AWS cron syntax: "9-5" is a range that ends before it starts'],
    ['cron(0 3/0 * * ? *)', 'AWS cron syntax: "3/0" has a step of 0'],
    ['cron(0 3 L-2 * ? *)', 'AWS cron syntax: "L" is not a day-of-month value (1-31)'],
  ])('refuses %s, naming the field, the value and the syntax expected', (expression, expected) => {
    let error: unknown;
    try {
      parseAwsCron(expression, 'backupPlan.schedule');
    } catch (caught: unknown) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ProblemsError);
    expect((error as ProblemsError).problems).toEqual([
      { field: 'backupPlan.schedule', received: JSON.stringify(expression), expected },
    ]);
  });
});
