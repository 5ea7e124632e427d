/**
 * Every bad flag exits 2 with one message naming the flag, the value received and what was expected, before
 * anything is planned or written (the fake backend records every call: there must be none).
 */
import { parseRestoreArgs } from '../../../cli/args';
import { fakeBackend, NOW, run } from './support';

const LOCAL = ['restore', '--local', '--deployment', '/tmp/d.json'];
const GOOD = [...LOCAL, '--bucket', 'acme-invoices', '--as-of', '2h ago', '--yes'];

describe('strongroom restore: bad flags and values (exit 2, nothing planned)', () => {
  it.each<[string, string[], string, string, string]>([
    ['a missing --bucket', [...LOCAL, '--as-of', '2h ago', '--yes'], '--bucket', '(missing)', 'the source bucket whose backups'],
    [
      'a bucket name S3 refuses',
      [...GOOD, '--bucket', 'Acme_Invoices'],
      '--bucket',
      '"Acme_Invoices"',
      'an S3 bucket name: 3-63',
    ],
    ['a missing --as-of', [...LOCAL, '--bucket', 'acme-invoices', '--yes'], '--as-of', '(missing)', 'the instant to restore to'],
    [
      'an --as-of that is no time',
      [...GOOD, '--as-of', 'before the attack'],
      '--as-of',
      '"before the attack"',
      'an ISO-8601 instant',
    ],
    ['an --as-of without a time of day', [...GOOD, '--as-of', 'yesterday'], '--as-of', '"yesterday"', 'a time of day as well'],
    [
      'an --as-of in the future',
      [...GOOD, '--as-of', 'in 1 hour'],
      '--as-of',
      '"in 1 hour" (2026-12-01T06:12:00Z',
      'not in the future',
    ],
    [
      'a bad --distrust-writes-after',
      [...GOOD, '--distrust-writes-after', '3am-ish'],
      '--distrust-writes-after',
      '"3am-ish"',
      'an ISO-8601',
    ],
    ['a --prefix with a leading slash', [...GOOD, '--prefix', '/invoices'], '--prefix', '"/invoices"', 'does not start with "/"'],
    ['an empty --prefix', [...GOOD, '--prefix', ''], '--prefix', '""', 'a non-empty key prefix'],
    ['a bad --target-prefix', [...GOOD, '--target-prefix', '/drill/'], '--target-prefix', '"/drill/"', 'does not start with "/"'],
    ['a --target S3 refuses', [...GOOD, '--target', 'x'], '--target', '"x"', 'an S3 bucket name'],
    ['an unknown --mode', [...GOOD, '--mode', 'everything'], '--mode', '"everything"', '"state" (every key as it was'],
    [
      '--remove-extraneous with changed-since',
      [...GOOD, '--mode', 'changed-since', '--remove-extraneous'],
      '--remove-extraneous',
      '"true"',
      'only with --mode state',
    ],
    ['--dry-run with --yes', [...GOOD, '--dry-run'], '--yes', '"true"', 'no --yes with --dry-run'],
    [
      '--deployment without --local',
      ['restore', '--deployment', 'd.json', '--bucket', 'acme-invoices', '--as-of', '2h ago'],
      '--deployment',
      '"d.json"',
      'only with --local',
    ],
    ['an AWS flag with --local', [...GOOD, '--profile', 'prod'], '--profile', '"prod"', 'no value with --local'],
    ['--function with --local', [...GOOD, '--function', 'f'], '--function', '"f"', 'no value with --local'],
    [
      'a bad --function',
      ['restore', '--bucket', 'acme-invoices', '--as-of', '2h ago', '--function', 'no spaces allowed'],
      '--function',
      '"no spaces allowed"',
      'a Lambda function name or ARN',
    ],
    [
      'a bad --name',
      ['restore', '--bucket', 'acme-invoices', '--as-of', '2h ago', '--name', 'Prod'],
      '--name',
      '"Prod"',
      "the deployment's name prefix",
    ],
    [
      'a bad --region',
      ['restore', '--bucket', 'acme-invoices', '--as-of', '2h ago', '--region', 'europe'],
      '--region',
      '"europe"',
      'an AWS region such as "eu-west-1"',
    ],
    [
      'a bad --poll-seconds',
      ['restore', '--bucket', 'acme-invoices', '--as-of', '2h ago', '--poll-seconds', '0'],
      '--poll-seconds',
      '"0"',
      'a number from 1 to 60',
    ],
    [
      'an unknown flag',
      [...GOOD, '--asof', 'x'],
      '--asof',
      '"--asof"',
      'one of the flags of strongroom restore; did you mean --as-of?',
    ],
    ['a flag without its value', [...LOCAL, '--bucket'], '--bucket', '(missing)', 'a value after --bucket: the source bucket'],
    [
      'a stray argument',
      [...GOOD, 'acme-invoices'],
      '(arguments)',
      '["acme-invoices"]',
      'no arguments: every value follows a flag',
    ],
  ])('%s', async (_what, argv, flag, received, expected) => {
    const backend = fakeBackend();
    const { code, err, out } = await run(argv, { backend });
    expect(code).toBe(2);
    expect(err).toContain(`strongroom restore: ${flag}: received ${received}`);
    expect(err).toContain(expected);
    expect(err).toContain('(strongroom restore --help lists every flag and what it takes)');
    expect(out).toBe('');
    expect(backend.calls).toEqual([]);
  });

  it('reports every problem at once, one line each', async () => {
    const { code, err } = await run([...LOCAL, '--bucket', 'B', '--as-of', 'soon', '--mode', 'all']);
    expect(code).toBe(2);
    const lines = err.split('\n').map((l) => l.trim());
    expect(lines.filter((l) => / received /.test(l)).map((l) => l.replace(/^strongroom restore: /, '').split(':')[0])).toEqual([
      '--bucket',
      '--as-of',
      '--mode',
    ]);
  });

  it('refuses to prompt when stdin is not a terminal: exit 2, pass --yes (or --dry-run), nothing planned', async () => {
    const backend = fakeBackend();
    const { code, err } = await run([...LOCAL, '--bucket', 'acme-invoices', '--as-of', '2h ago'], { backend });
    expect(code).toBe(2);
    expect(err).toContain(
      '--yes: received (missing), expected --yes to restore without a prompt: stdin is not a terminal, so the plan cannot be confirmed',
    );
    expect(backend.calls).toEqual([]);
  });

  it('with --json, also prints the error as JSON on stdout', async () => {
    const { code, out } = await run([...GOOD, '--json', '--as-of', 'whenever']);
    expect(code).toBe(2);
    expect(JSON.parse(out)).toEqual({
      error: {
        exitCode: 2,
        name: 'CliUsageError',
        message: expect.stringContaining('--as-of: received "whenever"'),
        problems: [{ field: '--as-of', received: '"whenever"', expected: expect.stringContaining('an ISO-8601 instant') }],
      },
    });
  });
});

describe('strongroom timeline and the top level: bad usage (exit 2)', () => {
  it.each<[string, string[], string]>([
    ['no --local', ['timeline', 'acme-invoices', 'a.txt'], 'strongroom timeline: --local: received (missing), expected --local'],
    [
      'a missing key',
      ['timeline', '--local', '--deployment', 'd', 'acme-invoices'],
      '<key>: received (missing), expected the object key',
    ],
    [
      'a bad bucket',
      ['timeline', '--local', '--deployment', 'd', 'ACME', 'a.txt'],
      '<bucket>: received "ACME", expected an S3 bucket name',
    ],
    [
      'a bad time',
      ['timeline', '--local', '--deployment', 'd', 'acme-invoices', 'a.txt', '--distrust-writes-after', 'x'],
      '--distrust-writes-after: received "x"',
    ],
    [
      'an extra argument',
      ['timeline', '--local', '--deployment', 'd', 'acme-invoices', 'a.txt', 'b.txt'],
      '(arguments): received ["b.txt"], expected only <bucket> <key>',
    ],
    [
      'an unknown command',
      ['restor'],
      'strongroom: <command>: received "restor", expected "restore", "timeline", "activity", "recovery-points" or "verify"; did you mean restore?',
    ],
  ])('%s', async (_what, argv, message) => {
    const { code, err } = await run(argv);
    expect(code).toBe(2);
    expect(err).toContain(message);
  });

  it('no command: the help on stderr, exit 2; --help and --version: exit 0 on stdout', async () => {
    const none = await run([]);
    expect(none.code).toBe(2);
    expect(none.err).toContain('Usage: strongroom [options] [command]');
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('Exit codes:');
    expect((await run(['--version'])).out).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});

describe('--help documents every flag and the exit codes', () => {
  it.each([['restore'], ['timeline']])('strongroom %s --help', async (command) => {
    const { code, out } = await run([command, '--help']);
    expect(code).toBe(0);
    const flags =
      command === 'restore'
        ? [
            '--bucket',
            '--prefix',
            '--as-of',
            '--distrust-writes-after',
            '--target',
            '--target-prefix',
            '--mode',
            '--remove-extraneous',
            '--dry-run',
            '--yes',
            '--json',
            '--local',
            '--deployment',
            '--function',
            '--name',
            '--config',
            '--profile',
            '--region',
            '--poll-seconds',
          ]
        : ['--distrust-writes-after', '--json', '--local', '--deployment'];
    for (const flag of flags) expect(out).toMatch(new RegExp(`\\n  ${flag}\\b.*\\S`));
    for (const code of [
      '0  done',
      '1  failure',
      '2  bad usage or input',
      '3  the restore finished, but some objects failed',
      '4  aborted by the user',
    ])
      expect(out).toContain(code);
  });
});

test('parseRestoreArgs: the defaults, and the AWS target', () => {
  expect(parseRestoreArgs({ bucket: 'acme-invoices', asOf: '2h ago' }, NOW)).toEqual({
    bucket: 'acme-invoices',
    asOf: expect.objectContaining({ iso: '2026-12-01T03:12:00Z' }),
    mode: 'state',
    removeExtraneous: false,
    dryRun: false,
    yes: false,
    json: false,
    aws: { pollMs: 5000 },
  });
  expect(
    parseRestoreArgs({ bucket: 'acme-invoices', asOf: '2h ago', name: 'acme', region: 'eu-west-1', pollSeconds: '2.5' }, NOW).aws,
  ).toEqual({ name: 'acme', region: 'eu-west-1', pollMs: 2500 });
  expect(parseRestoreArgs({ local: true, bucket: 'acme-invoices', asOf: '2h ago' }, NOW).local).toEqual({});
});
