import { changeRateVerdict } from '../../../local/demo/activity-step';
import { DEMO_STEPS, initialState, restoredLine, sampleFiles } from '../../../local/demo/demo-steps';
import { closingLines, DEFAULT_CONFIG_FILE, leftRunningLines, parseArgs } from '../../../local/demo/main';
import { insertStepAfter, type Output, type RunReport, replaceStep, runSteps, type Step, table } from '../../../local/demo/steps';

function capture(): Output & { lines: string[] } {
  const lines: string[] = [];
  return { lines, colour: false, line: (text) => lines.push(text) };
}

const denied = () =>
  Promise.reject(Object.assign(new Error('UnknownError'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
const notFound = () =>
  Promise.reject(Object.assign(new Error('UnknownError'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } }));

describe('runSteps', () => {
  it('prints one line per step: mark, number, name, what it attempted, outcome', async () => {
    const out = capture();
    const steps: Step<object>[] = [
      { name: 'first', attempts: 'do one thing', run: async () => 'done' },
      { name: 'second', attempts: 'do another', run: async () => 'also done' },
    ];
    const report = await runSteps(steps, {}, out);
    expect(out.lines).toEqual([
      `✔  1 ${'first'.padEnd(21)} do one thing -> done`,
      `✔  2 ${'second'.padEnd(21)} do another -> also done`,
    ]);
    expect(report.ok).toBe(true);
  });

  it('judges attempts against their expectation: a 403 is a held denial, not a failure', async () => {
    const out = capture();
    const report = await runSteps(
      [
        {
          name: 'attack',
          attempts: 'try things',
          run: async (_s, r) => {
            await r.expect('intruder', 'delete a version', 'denied', denied);
            await r.expect('intruder', 'read a version', 'denied', notFound);
            await r.expect('owner', 'wipe the source', 'allowed', async () => 'ok');
            return 'tried';
          },
        },
      ],
      {},
      out,
    );
    expect(report.ok).toBe(false);
    expect(report.results[0]?.recorded.map((a) => [a.action, a.outcome, a.held])).toEqual([
      ['delete a version', 'AccessDenied (403)', true],
      ['read a version', 'NoSuchKey (404)', false],
      ['wipe the source', 'ok', true],
    ]);
    expect(out.lines[0]).toMatch(/^✘ {2}1 attack/);
    expect(out.lines[2]).toContain('NoSuchKey (404)  (expected denied)');
  });

  it('counts repeated attempts on one line', async () => {
    const out = capture();
    await runSteps(
      [
        {
          name: 'many',
          attempts: 'delete each',
          run: async (_s, r) => {
            await r.expectEach('intruder', 'delete each version (3)', 'denied', [denied, denied, denied]);
            await r.expectEach('intruder', 'delete more (2)', 'denied', [denied, async () => 'oops']);
            return 'x';
          },
        },
      ],
      {},
      out,
    );
    expect(out.lines[1]).toMatch(/✔ intruder: delete each version \(3\) +3\/3 AccessDenied \(403\)$/);
    expect(out.lines[2]).toMatch(/✘ intruder: delete more \(2\) +1\/2 AccessDenied \(403\), 1\/2 ok {2}\(expected denied\)$/);
  });

  it('reports an unexpected failure in one line, without a stack trace, and skips the rest', async () => {
    const out = capture();
    const boom = Object.assign(new Error('provisioning failed at step x'), { name: 'ProvisionError' });
    const report = await runSteps(
      [
        { name: 'a', attempts: 'works', run: async () => 'ok' },
        {
          name: 'b',
          attempts: 'breaks',
          run: async () => {
            throw boom;
          },
        },
        { name: 'c', attempts: 'never runs', run: async () => 'nope' },
      ],
      {},
      out,
    );
    expect(out.lines).toEqual([
      `✔  1 ${'a'.padEnd(21)} works -> ok`,
      `✘  2 ${'b'.padEnd(21)} breaks -> failed unexpectedly: ProvisionError: provisioning failed at step x`,
      '     (skipped after this failure: c)',
    ]);
    expect(report).toMatchObject({ ok: false, skipped: ['c'] });
    expect(out.lines.join('\n')).not.toContain('    at ');
  });
});

describe('the demo step list', () => {
  it('runs in the documented order, backs up with the real copier, and lets steps be swapped by name', () => {
    expect(DEMO_STEPS.map((s) => s.name)).toEqual([
      'local-s3',
      'provision',
      'seed',
      'backup',
      'verify',
      'snapshot-before',
      'attack-primary-admin',
      'attack-stolen-ingest',
      'snapshot-after',
      'compare',
      'activity',
      'restore',
    ]);
    expect(DEMO_STEPS.find((s) => s.name === 'backup')?.attempts).toMatch(/^the copier backs every source version up/);
    const copier: Step<never> = { name: 'copy', attempts: 'the real copier', run: async () => 'copied' };
    const swapped = replaceStep(DEMO_STEPS as unknown as Step<never>[], 'backup', copier);
    expect(swapped.map((s) => s.name)).toContain('copy');
    expect(swapped.map((s) => s.name)).not.toContain('backup');
    expect(DEMO_STEPS.find((s) => s.name === 'restore')?.attempts).toBe(
      'the responder: strongroom restore --as-of <just before the attack>, every key compared',
    );
    expect(insertStepAfter(swapped, 'restore', { ...copier, name: 'verify' }).at(-1)?.name).toBe('verify');
    expect(() => replaceStep(DEMO_STEPS, 'nope', copier as never)).toThrow("no demo step named 'nope'");
  });

  it('seeds several keys with several versions each, some binary, with content types and metadata; one deleted before the attack', () => {
    const files = sampleFiles();
    expect(files.length).toBeGreaterThanOrEqual(4);
    expect(files.every((f) => f.versions.length >= 2)).toBe(true);
    expect(files.some((f) => f.versions.some((v) => v.binary))).toBe(true);
    expect(files.every((f) => f.contentType.length > 0)).toBe(true);
    expect(files.filter((f) => Object.keys(f.metadata).length > 0).length).toBeGreaterThanOrEqual(3);
    expect(files.filter((f) => f.deletedBeforeAttack).map((f) => f.key)).toEqual(['exports/customers-2026-11.csv']);
  });

  it('judges the change-rate alarm as CloudWatch does: more deletions than the threshold fire it, as many do not', () => {
    expect(changeRateVerdict(14, 10, 1)).toEqual({
      fires: true,
      line: 'change-rate alarm: would fire (14 deletions in 1 min > threshold 10)',
    });
    expect(changeRateVerdict(10, 10, 5)).toEqual({
      fires: false,
      line: 'change-rate alarm: would not fire (10 deletions in 5 min <= threshold 10)',
    });
  });
});

describe('the demo command line', () => {
  it('defaults to the embedded config, port 7480, stopping the local S3 afterwards', () => {
    expect(parseArgs([])).toEqual({ configFile: DEFAULT_CONFIG_FILE, keep: false, port: 7480 });
    expect(DEFAULT_CONFIG_FILE).toMatch(/config\/strongroom\.local\.json$/);
  });

  it('takes --config, --keep and --port, and refuses anything else', () => {
    expect(parseArgs(['--config', 'x.json', '--keep', '--port', '7490'])).toMatchObject({ keep: true, port: 7490 });
    expect(parseArgs(['--help'])).toBe('help');
    expect(() => parseArgs(['--port', 'abc'])).toThrow("--port must be a port in 1024-55535, got 'abc'");
    expect(() => parseArgs(['--config'])).toThrow('--config needs a value');
    expect(() => parseArgs(['--force'])).toThrow("unknown argument '--force'");
  });
});

describe('what the demo says about a local S3 it leaves running', () => {
  const localS3 = { endpoint: 'http://127.0.0.1:7682', dir: '/tmp/strongroom-local-s3-7682' };
  const file = '/tmp/strongroom-local-s3-7682/deployments/demo-abc.json';

  it('with --keep: where it runs, the deployment file and how to find it again, how to stop it', () => {
    expect(leftRunningLines(localS3, 7682, true, file)).toEqual([
      'The local S3 is left running at http://127.0.0.1:7682 (state in /tmp/strongroom-local-s3-7682):',
      `  deployment:        ${file} (vault, buckets, roles and keys; mode 0600)`,
      '  its path again:    LOCAL_S3_PORT=7682 npx tsx local/local-s3-cli.ts deployment',
      '  endpoint and keys: LOCAL_S3_PORT=7682 npx tsx local/local-s3-cli.ts env',
      '  stop it:           LOCAL_S3_PORT=7682 npx tsx local/local-s3-cli.ts stop',
    ]);
  });

  it('one it found running: left as it was, the deployment file named; no deployment line if provisioning failed', () => {
    expect(leftRunningLines(localS3, 7682, false, file)).toEqual([
      'The local S3 at http://127.0.0.1:7682 was running before the demo: left running.',
      `  deployment:        ${file} (vault, buckets, roles and keys; mode 0600)`,
      '  its path again:    LOCAL_S3_PORT=7682 npx tsx local/local-s3-cli.ts deployment',
    ]);
    expect(leftRunningLines(localS3, 7682, true, undefined)).not.toContainEqual(expect.stringContaining('deployment'));
  });
});

describe("the demo's closing lines", () => {
  const report = (ok: boolean): RunReport => ({ results: [], skipped: [], ok, ms: 1000 });
  const restored = { target: 'acme-restore', asOf: '2026-12-01T03:12:04.999Z', objects: 5, bytes: 106_496, differ: 0, ms: 310 };

  it('the verdict, then as the last line how many objects came back and that 0 differ', () => {
    const state = { ...initialState({ configFile: 'c.json', config: {} as never, port: 7480 }), restored };
    expect(closingLines(capture(), report(true), state)).toEqual([
      '✔ RESULT: every protection held — 0 versions lost.',
      '✔ RESTORED: 5 objects (104 KiB) came back into acme-restore as of 2026-12-01T03:12:04.999Z, just before the attack, in 0.31 s; ' +
        '0 differ from the source before the attack (bytes, content type, user metadata; keys absent then, absent now).',
    ]);
  });

  it('a restore that differs is marked failed; no restore, no RESTORED line', () => {
    expect(restoredLine({ ...restored, objects: 4, differ: 1 })).toContain('4 objects (104 KiB) came back');
    const state = {
      ...initialState({ configFile: 'c.json', config: {} as never, port: 7480 }),
      restored: { ...restored, differ: 1 },
    };
    expect(closingLines(capture(), report(false), state).at(-1)).toMatch(/^✘ RESTORED: .*; 1 differ from the source/);
    expect(closingLines(capture(), report(true), initialState({ configFile: 'c', config: {} as never, port: 1 }))).toHaveLength(
      1,
    );
  });
});

test('table pads columns and rules the header', () => {
  expect(table(['a', 'bb'], [['long cell', 'x']])).toEqual(['a          bb', '---------  --', 'long cell  x']);
});
