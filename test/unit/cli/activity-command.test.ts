/** strongroom activity: the table, the bursts, the suggested T and the restore command; flags refused by name. */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { parseInterval } from '../../../cli/activity-command';
import type { ActivityBackend } from '../../../cli/backend';
import { lambdaActivityBackend } from '../../../cli/lambda-backend';
import type { LocalBackend } from '../../../cli/local-backend';
import type { ActivityApiRequest } from '../../../contract/restore-api';
import { type ActivityReport, activityReport } from '../../../lambda/core/activity';
import { run } from './support';

const T0 = Date.parse('2026-12-01T05:00:00.000Z');
const s = (seconds: number) => T0 + seconds * 1000;

/** The demo's shape: seeded writes and overwrites, then a wipe, as the core computes it. */
function attackReport(query: Partial<ActivityApiRequest> = {}): ActivityReport {
  const counts = new Map([
    [s(0), { writes: 6, overwrites: 0, deletions: 0, key: 'db/customers.dump' }],
    [s(1), { writes: 0, overwrites: 6, deletions: 0, key: 'db/customers.dump' }],
    [s(2), { writes: 0, overwrites: 1, deletions: 1, key: 'exports/customers-2026-11.csv' }],
    [s(6), { writes: 0, overwrites: 0, deletions: 14, key: 'db/customers.dump' }],
  ]);
  return activityReport(counts, {
    bucket: 'local-acme-invoices',
    ...(query.prefix ? { prefix: query.prefix } : {}),
    ...(query.intervalSeconds ? { intervalSeconds: query.intervalSeconds } : {}),
  });
}

function backendOf(answer: (request: ActivityApiRequest) => ActivityReport): ActivityBackend & { asked: ActivityApiRequest[] } {
  const asked: ActivityApiRequest[] = [];
  return {
    asked,
    where: 'local deployment demo-x at http://127.0.0.1:7480',
    source: (name) => ({ shown: name, actual: `local-${name}` }),
    activity: async (request) => {
      asked.push(request);
      return answer(request);
    },
    close: () => undefined,
  };
}

const local = (backend: ActivityBackend) => ({ deps: { openLocal: async () => backend as unknown as LocalBackend } });

describe('strongroom activity (now = 2026-12-01T05:12:00Z)', () => {
  it('prints the intervals, marks the burst, suggests T and the restore command to run next', async () => {
    const backend = backendOf((r) => attackReport(r));
    const { code, out } = await run(['activity', '--local', '--deployment', '/tmp/d.json', 'acme-invoices'], local(backend));
    expect(code).toBe(0);
    expect(backend.asked).toEqual([{ action: 'activity', sourceBucket: 'local-acme-invoices' }]);
    expect(out.split('\n')).toEqual([
      "acme-invoices: 28 changes in the vault's journal from 2026-12-01T05:00:00Z to 2026-12-01T05:00:06Z, per second (chosen for the span; --interval sets it) (local deployment demo-x at http://127.0.0.1:7480)",
      '  interval from (UTC)                               writes  overwrites  deletions',
      '  2026-12-01T05:00:00Z (12 minutes ago)                  6           0          0',
      '  2026-12-01T05:00:01Z (11 minutes 59 seconds ago)       0           6          0',
      '  2026-12-01T05:00:02Z (11 minutes 58 seconds ago)       0           1          1',
      '    ... 3 quiet intervals',
      '  2026-12-01T05:00:06Z (11 minutes 54 seconds ago)       0           0         14  <- BURST',
      '',
      'A burst: an interval whose overwrites + deletions are at least 10 and more than 3 x the median of the 24 intervals before it.',
      '1 burst:',
      '  1  2026-12-01T05:00:06Z to 2026-12-01T05:00:07Z: 14 deletions, 0 overwrites, 0 writes; began 2026-12-01T05:00:06Z (11 minutes 54 seconds ago, db/customers.dump)',
      '       last change before it 2026-12-01T05:00:02Z; as it was just before: --as-of 2026-12-01T05:00:05.999Z',
      '',
      'Suggested T, just before the burst began: 2026-12-01T05:00:05.999Z (11 minutes 54 seconds ago)',
      'Next, plan the restore (a dry run writes nothing):',
      '  strongroom restore --local --deployment /tmp/d.json --bucket acme-invoices --as-of 2026-12-01T05:00:05.999Z --dry-run',
      '',
    ]);
  });

  it('--json: the core report, the bucket as shown and sent, and the restore command', async () => {
    const backend = backendOf((r) => attackReport(r));
    const { code, out } = await run(
      ['activity', '--local', '--deployment', '/tmp/d.json', 'acme-invoices', '--prefix', 'db/', '--json'],
      local(backend),
    );
    expect(code).toBe(0);
    const json = JSON.parse(out);
    expect(json).toMatchObject({
      bucket: { shown: 'acme-invoices', actual: 'local-acme-invoices' },
      suggestedAsOf: '2026-12-01T05:00:05.999Z',
      bursts: [expect.objectContaining({ deletions: 14, firstKey: 'db/customers.dump' })],
      restoreCommand:
        'strongroom restore --local --deployment /tmp/d.json --bucket acme-invoices --prefix db/ --as-of 2026-12-01T05:00:05.999Z --dry-run',
    });
    expect(backend.asked[0]).toMatchObject({ prefix: 'db/' });
  });

  it('passes --since, --until and --interval on as the request asks for them', async () => {
    const backend = backendOf((r) => attackReport(r));
    const { code, err } = await run(
      [
        'activity',
        '--local',
        '--deployment',
        '/tmp/d.json',
        'acme-invoices',
        '--since',
        '2026-12-01T04:00:00Z',
        '--until',
        '10 minutes ago',
        '--interval',
        '5m',
      ],
      local(backend),
    );
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(backend.asked).toEqual([
      {
        action: 'activity',
        sourceBucket: 'local-acme-invoices',
        since: '2026-12-01T04:00:00.000Z',
        until: '2026-12-01T05:02:00.000Z',
        intervalSeconds: 300,
      },
    ]);
  });

  it('says so when nothing changed fast, and when the window holds nothing', async () => {
    const quiet = activityReport(new Map([[s(0), { writes: 3, overwrites: 1, deletions: 0, key: 'a' }]]), { bucket: 'b' });
    const { out } = await run(
      ['activity', '--local', '--deployment', '/tmp/d.json', 'acme-invoices'],
      local(backendOf(() => quiet)),
    );
    expect(out).toContain('No burst: nothing changed abnormally fast.');
    expect(out).not.toContain('Suggested T');
    const empty = activityReport(new Map(), { bucket: 'b', since: new Date(T0) });
    const windowed = await run(
      ['activity', '--local', '--deployment', '/tmp/d.json', 'acme-invoices', '--since', '1h ago'],
      local(backendOf(() => empty)),
    );
    expect(windowed.code).toBe(0);
    expect(windowed.out).toBe(
      "acme-invoices: no changes in the vault's journal since 2026-12-01T04:12:00Z (local deployment demo-x at http://127.0.0.1:7480).\n",
    );
  });

  it('refuses a bucket with no journal entries at all (a typo, most likely): exit 2 naming it', async () => {
    const { code, err } = await run(
      ['activity', '--local', '--deployment', '/tmp/d.json', 'acme-invoice'],
      local(backendOf(() => activityReport(new Map(), { bucket: 'x' }))),
    );
    expect(code).toBe(2);
    expect(err).toContain(`<bucket>: received "acme-invoice", expected a source bucket with entries in the vault's journal`);
  });

  it.each([
    [['--interval', '5 minutes'], '--interval: received "5 minutes", expected an interval such as "10s", "5m", "1h" or "1d"'],
    [['--interval', '8d'], '--interval: received "8d", expected an interval such as'],
    [['--interval', '0s'], '--interval: received "0s"'],
    [['--since', 'yesterday'], '--since: received "yesterday", expected a time of day as well'],
    [
      ['--since', '1h ago', '--until', '2h ago'],
      '--since: received "1h ago", expected an instant at or before --until (2026-12-01T03:12:00Z)',
    ],
    [['--prefix', '/abs'], '--prefix: received "/abs"'],
    [['--deployment', 'd.json'], '--deployment: received "d.json", expected only with --local'],
    [['--local', '--profile', 'prod'], '--profile: received "prod", expected no value with --local'],
  ])('refuses %j naming the flag, the value and what was expected (exit 2)', async (flags, message) => {
    const backend = backendOf(() => attackReport());
    const { code, err } = await run(['activity', 'acme-invoices', ...flags], {
      deps: { openLocal: async () => backend as unknown as LocalBackend, openLambdaActivity: () => backend },
    });
    expect(code).toBe(2);
    expect(err).toContain(message);
    expect(err).toContain('strongroom activity --help');
    expect(backend.asked).toEqual([]);
  });

  it('--help documents every flag and the exit codes', async () => {
    const { code, out } = await run(['activity', '--help']);
    expect(code).toBe(0);
    for (const flag of [
      '--prefix',
      '--since',
      '--until',
      '--interval',
      '--json',
      '--local',
      '--deployment',
      '--profile',
      '--region',
    ])
      expect(out).toContain(flag);
    expect(out).toContain('Exit codes:');
  });

  it('parses intervals in seconds, minutes, hours and days', () => {
    expect(['1s', '30s', '5m', '1h', '1d', '7d'].map(parseInterval)).toEqual([1, 30, 300, 3600, 86_400, 604_800]);
    expect(['', 'm', '1w', '-5m', '1.5h'].map(parseInterval)).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });
});

describe('strongroom activity against AWS (a mocked restore function)', () => {
  const payload = (value: unknown) => ({ Payload: Buffer.from(JSON.stringify(value)), StatusCode: 200 }) as never;

  it('invokes <name>-restore with the activity request and prints its answer, the restore command carrying the AWS flags', async () => {
    const lambda = mockClient(LambdaClient);
    lambda.on(InvokeCommand).resolves(payload(attackReport()));
    const { code, out } = await run(
      ['activity', 'acme-invoices', '--name', 'acme', '--region', 'eu-west-1', '--profile', 'prod'],
      {
        deps: { openLambdaActivity: lambdaActivityBackend },
      },
    );
    expect(code).toBe(0);
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 1);
    const call = lambda.commandCalls(InvokeCommand)[0].args[0].input;
    expect(call.FunctionName).toBe('acme-restore');
    expect(JSON.parse(Buffer.from(call.Payload as Uint8Array).toString('utf8'))).toEqual({
      action: 'activity',
      sourceBucket: 'acme-invoices',
    });
    expect(out).toContain('(restore function acme-restore in eu-west-1)');
    expect(out).toContain(
      'strongroom restore --bucket acme-invoices --as-of 2026-12-01T05:00:05.999Z --name acme --profile prod --region eu-west-1 --dry-run',
    );
    lambda.restore();
  });

  it("a refusal by the function is the responder's to fix (exit 2, the flag named); a malformed answer is a failure (exit 1)", async () => {
    const lambda = mockClient(LambdaClient);
    lambda.on(InvokeCommand).resolves({
      ...(payload({
        errorType: 'ActivityRequestError',
        errorMessage: 'invalid activity request: intervalSeconds: received 1, expected at most 10000 intervals',
      }) as object),
      FunctionError: 'Unhandled',
    });
    const refused = await run(['activity', 'acme-invoices', '--interval', '1s'], {
      deps: { openLambdaActivity: lambdaActivityBackend },
    });
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('--interval (intervalSeconds): received 1');
    lambda.on(InvokeCommand).resolves(payload({ restoreId: 'r-x' }));
    const odd = await run(['activity', 'acme-invoices'], { deps: { openLambdaActivity: lambdaActivityBackend } });
    expect(odd.code).toBe(1);
    expect(odd.err).toContain('expected {intervals, bursts, suggestedAsOf, ...}');
    lambda.restore();
  });
});
