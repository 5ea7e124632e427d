import { type Problem, ProblemsError } from '../../../contract/errors';
import { DAY_MS } from './aws-checks-time';

/*
 * The backup plan's interval, read from its schedule. AWS Backup takes only `cron(m h dom mon dow year)`
 * in UTC, with AWS's syntax: lists (`,`), ranges (`-`), steps (`/`), `*`, `?` in exactly one of the two day
 * fields, month and weekday names, `L` and `W` in day-of-month (`L`, `15W`, `LW`), `L` and `#` in
 * day-of-week (`6L`: the last Friday, `2#1`: the first Monday), weekdays numbered 1 (SUN) to 7 (SAT), and a
 * year field. The interval is the longest gap between two consecutive fire times within a year either side
 * of now: a plan that fires at 03:00 on weekdays only has a 3-day interval, a monthly one up to 31 days.
 */

const MINUTE_MS = 60_000;
/** How far either side of now the fire times are enumerated. */
const WINDOW_DAYS = 366;

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Names standing for min, min+1, ... */
  readonly names?: readonly string[];
}

const FIELDS = {
  minute: { name: 'minutes', min: 0, max: 59 },
  hour: { name: 'hours', min: 0, max: 23 },
  dayOfMonth: { name: 'day-of-month', min: 1, max: 31 },
  month: { name: 'month', min: 1, max: 12, names: MONTHS },
  dayOfWeek: { name: 'day-of-week', min: 1, max: 7, names: WEEKDAYS },
  year: { name: 'year', min: 1970, max: 2199 },
} as const satisfies Record<string, FieldSpec>;

/** A parsed schedule: which minutes of a day it fires at, and whether it fires on a given UTC day. */
export interface AwsCron {
  readonly expression: string;
  /** Minutes after midnight UTC, ascending. */
  readonly minutesOfDay: readonly number[];
  firesOn(day: Date): boolean;
}

/** A field outside AWS's cron syntax; parseAwsCron turns it into a ProblemsError naming the schedule. */
class FieldError extends Error {
  public override readonly name = 'FieldError';
}

function fieldValue(text: string, spec: FieldSpec): number {
  const named = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  const value = named >= 0 ? spec.min + named : /^\d{1,4}$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= spec.min && value <= spec.max)) {
    throw new FieldError(`"${text}" is not a ${spec.name} value (${spec.min}-${spec.max}${spec.names ? ` or a name` : ''})`);
  }
  return value;
}

/** `*`, `n`, `a-b`, each optionally `/step`, separated by commas: the set of values. */
function valuesOf(field: string, spec: FieldSpec): Set<number> {
  const values = new Set<number>();
  for (const item of field.split(',')) {
    const match = /^(\*|[^/-]+(?:-[^/-]+)?)(?:\/(\d{1,4}))?$/.exec(item);
    if (!match?.[1]) throw new FieldError(`"${item}" is not a value, a range, "*" or a step`);
    const [from, to] =
      match[1] === '*'
        ? [spec.min, spec.max]
        : match[1].includes('-')
          ? (match[1].split('-').map((part) => fieldValue(part, spec)) as [number, number])
          : [fieldValue(match[1], spec), match[2] ? spec.max : fieldValue(match[1], spec)];
    const step = match[2] ? Number(match[2]) : 1;
    if (step < 1) throw new FieldError(`"${item}" has a step of 0`);
    if (to < from) throw new FieldError(`"${item}" is a range that ends before it starts`);
    for (let value = from; value <= to; value += step) values.add(value);
  }
  return values;
}

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();
/** 1 (SUN) to 7 (SAT), as AWS numbers weekdays. */
const weekdayOf = (year: number, month: number, day: number) => new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
const isWeekday = (year: number, month: number, day: number) => ![1, 7].includes(weekdayOf(year, month, day));

/** The weekday nearest to `day` within its month (`15W`), as Quartz and AWS define it. */
function nearestWeekday(year: number, month: number, day: number): number {
  const last = daysIn(year, month);
  const target = Math.min(day, last);
  if (isWeekday(year, month, target)) return target;
  const weekday = weekdayOf(year, month, target);
  if (weekday === 7) return target === 1 ? 3 : target - 1; // Saturday: the Friday before, or Monday the 3rd
  return target === last ? target - 2 : target + 1; // Sunday: the Monday after, or Friday before the month's end
}

type DayTest = (year: number, month: number, day: number) => boolean;

function dayOfMonthTest(field: string): DayTest {
  if (field === 'L') return (y, m, d) => d === daysIn(y, m);
  if (field === 'LW') {
    return (y, m, d) => {
      let last = daysIn(y, m);
      while (!isWeekday(y, m, last)) last -= 1;
      return d === last;
    };
  }
  const nearest = /^(\d{1,2})W$/.exec(field);
  if (nearest) {
    const target = fieldValue(nearest[1] as string, FIELDS.dayOfMonth);
    return (y, m, d) => d === nearestWeekday(y, m, target);
  }
  const days = valuesOf(field, FIELDS.dayOfMonth);
  return (_y, _m, d) => days.has(d);
}

function dayOfWeekTest(field: string): DayTest {
  if (field === 'L') return (y, m, d) => weekdayOf(y, m, d) === 7;
  const last = /^(\w+)L$/.exec(field);
  if (last) {
    const weekday = fieldValue(last[1] as string, FIELDS.dayOfWeek);
    return (y, m, d) => weekdayOf(y, m, d) === weekday && d + 7 > daysIn(y, m);
  }
  const nth = /^(\w+)#([1-5])$/.exec(field);
  if (nth) {
    const weekday = fieldValue(nth[1] as string, FIELDS.dayOfWeek);
    const n = Number(nth[2]);
    return (y, m, d) => weekdayOf(y, m, d) === weekday && Math.ceil(d / 7) === n;
  }
  const weekdays = valuesOf(field, FIELDS.dayOfWeek);
  return (y, m, d) => weekdays.has(weekdayOf(y, m, d));
}

/** Parses `cron(m h dom mon dow year)`; a bad field throws a ProblemsError naming `field`, the value and the syntax. */
export function parseAwsCron(expression: string, field = 'schedule'): AwsCron {
  const problem = (expected: string): ProblemsError => {
    const p: Problem = { field, received: JSON.stringify(expression), expected };
    return new ProblemsError(`${field}: received ${p.received}, expected ${expected}`, [p]);
  };
  const parts = /^cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)$/.exec(expression)?.slice(1);
  if (!parts) throw problem('"cron(m h dom mon dow year)" with six fields');
  const [minute, hour, dom, month, dow, year] = parts as [string, string, string, string, string, string];
  if ((dom === '?') === (dow === '?')) throw problem('"?" in exactly one of day-of-month and day-of-week');
  try {
    const minutes = [...valuesOf(minute, FIELDS.minute)];
    const hours = [...valuesOf(hour, FIELDS.hour)];
    const months = valuesOf(month, FIELDS.month);
    const years = valuesOf(year, FIELDS.year);
    const dayTest = dom === '?' ? dayOfWeekTest(dow) : dayOfMonthTest(dom);
    const minutesOfDay = hours.flatMap((h) => minutes.map((m) => h * 60 + m)).sort((a, b) => a - b);
    return {
      expression,
      minutesOfDay,
      firesOn: (day) => {
        const [y, m, d] = [day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate()];
        return years.has(y) && months.has(m) && dayTest(y, m, d);
      },
    };
  } catch (error: unknown) {
    if (error instanceof FieldError) throw problem(`AWS cron syntax: ${error.message}`);
    throw error;
  }
}

export interface ScheduleInterval {
  /** The longest gap between consecutive fire times, in milliseconds. */
  readonly intervalMs: number;
  /** Fire times counted in the window. */
  readonly fires: number;
}

/**
 * The longest gap between consecutive fire times from WINDOW_DAYS before `now` to WINDOW_DAYS after; null
 * when the schedule fires fewer than twice in that window (a year field that has run out, say).
 */
export function scheduleInterval(cron: AwsCron, now: Date): ScheduleInterval | null {
  const first = Math.floor(now.getTime() / DAY_MS) - WINDOW_DAYS;
  const times = cron.minutesOfDay;
  const withinDay = times.slice(1).reduce((gap, t, i) => Math.max(gap, (t - (times[i] as number)) * MINUTE_MS), 0);
  let previousLast: number | undefined;
  let longest = 0;
  let fires = 0;
  for (let day = first; day <= first + 2 * WINDOW_DAYS; day += 1) {
    const midnight = day * DAY_MS;
    if (!cron.firesOn(new Date(midnight))) continue;
    const dayFirst = midnight + (times[0] as number) * MINUTE_MS;
    if (previousLast !== undefined) longest = Math.max(longest, dayFirst - previousLast);
    if (times.length > 1) longest = Math.max(longest, withinDay);
    previousLast = midnight + (times[times.length - 1] as number) * MINUTE_MS;
    fires += times.length;
  }
  return fires >= 2 ? { intervalMs: longest, fires } : null;
}
