/**
 * strongroom restore against a fake backend: the instant echoed before anything is planned, the plan as printed,
 * the prompt, the result and the exit codes, and the one JSON document of --json.
 */
import { fakeBackend, fakeIo, planResponse, progress, run, statusResponse } from './support';

const ARGV = ['restore', '--local', '--deployment', '/tmp/d.json', '--bucket', 'acme-invoices', '--as-of', '2h ago'];

describe('strongroom restore', () => {
  it('echoes the instant, absolute and relative, before planning; prints the plan; restores with --yes (exit 0)', async () => {
    const io = fakeIo();
    const backend = fakeBackend();
    const plan = backend.plan;
    let printedBeforePlan = '';
    backend.plan = async (request) => {
      printedBeforePlan = io.stdout.join('');
      return plan(request);
    };
    const { code, out } = await run([...ARGV, '--yes'], { io, backend });
    expect(code).toBe(0);
    expect(printedBeforePlan).toBe(
      'Restoring acme-invoices into acme-restore as of 2026-12-01T03:12:00Z (2 hours ago), from "2h ago"\n',
    );
    expect(out.split('\n')).toEqual([
      'Restoring acme-invoices into acme-restore as of 2026-12-01T03:12:00Z (2 hours ago), from "2h ago"',
      '',
      'Plan r-mx4test0001 on a fake backend',
      '  source        acme-invoices (local-acme-invoices), every key',
      '  as of         2026-12-01T03:12:00Z (2 hours ago)',
      '  target        acme-restore (local-acme-restore), same keys',
      '  mode          state: every key as it was at that instant',
      '  backups from  2026-11-30T08:00:00Z (the earliest restorable instant)',
      '',
      '  write       3 objects  3.0 KiB',
      '                invoices/a.txt',
      '                invoices/b.txt',
      '                ledger/q1.csv',
      '  skip        1 object   10 B     already identical in the target',
      '                readme.txt',
      '  extraneous  1 object   7 B      in the target, absent at that instant: kept (--remove-extraneous removes them)',
      '                ransom-note.txt',
      '  absent      2 keys              backed up, but deleted or not yet written at that instant: not written',
      '',
      '  manifest: .strongroom/restores/r-mx4test0001/manifest.jsonl in acme-restore (5 lines)',
      '',
      'Restored 3 of 3 objects (3.0 KiB of 3.0 KiB) into acme-restore in 0.0 s; 2 skipped (already identical or kept), 0 failed. Restore r-mx4test0001: succeeded.',
      '',
    ]);
    expect(backend.calls).toEqual([
      [
        'plan',
        {
          action: 'plan',
          sourceBucket: 'local-acme-invoices',
          asOf: '2026-12-01T03:12:00.000Z',
          targetBucket: 'local-acme-restore',
          mode: 'state',
        },
      ],
      ['start', { target: 'local-acme-restore', restoreId: 'r-mx4test0001' }],
      ['close', undefined],
    ]);
  });

  it('sends every flag of the plan request: prefix, distrust, target and its prefix, mode, removal', async () => {
    const backend = fakeBackend();
    await run(
      [
        ...ARGV,
        '--yes',
        '--prefix',
        'invoices/',
        '--distrust-writes-after',
        '2026-12-01T03:00:00Z',
        '--target',
        'acme-drill',
        '--target-prefix',
        'drill/',
        '--remove-extraneous',
      ],
      { backend },
    );
    expect(backend.calls[0]).toEqual([
      'plan',
      {
        action: 'plan',
        sourceBucket: 'local-acme-invoices',
        prefix: 'invoices/',
        asOf: '2026-12-01T03:12:00.000Z',
        distrustWritesAfter: '2026-12-01T03:00:00.000Z',
        targetBucket: 'local-acme-drill',
        targetPrefix: 'drill/',
        mode: 'state',
        removeExtraneous: true,
      },
    ]);
  });

  it('shows what --distrust-writes-after set aside, and what --remove-extraneous removes', async () => {
    const backend = fakeBackend({
      plan: planResponse({
        setAside: {
          distrustWritesAfter: '2026-12-01T03:00:00.000Z',
          count: 4,
          keys: ['acme-invoices/invoices/a.txt', 'other-bucket/x'],
          segments: ['journal/primary/s1'],
        },
      }),
    });
    const { out } = await run([...ARGV, '--dry-run', '--distrust-writes-after', '2026-12-01T03:00:00Z', '--remove-extraneous'], {
      backend,
    });
    expect(out).toContain(
      '  set aside     4 journal entries (of the account, every bucket) the vault wrote after 2026-12-01T03:00:00Z (2 hours 12 minutes ago); of this bucket: invoices/a.txt\n',
    );
    expect(out).toContain('in the target, absent at that instant: REMOVED (a delete marker each)');
  });

  it('--dry-run plans and stops (exit 0, nothing started), without a terminal and without --yes', async () => {
    const backend = fakeBackend();
    const { code, out } = await run([...ARGV, '--dry-run'], { backend });
    expect(code).toBe(0);
    expect(out).toContain("Dry run: nothing written to acme-restore's keys. Run again without --dry-run to restore.");
    expect(backend.calls.map(([c]) => c)).toEqual(['plan', 'close']);
  });

  it('asks on a terminal: "y" restores, anything else aborts with exit 4 and nothing written', async () => {
    const yes = fakeIo({ tty: true, answers: ['y'] });
    expect((await run(ARGV, { io: yes })).code).toBe(0);
    expect(yes.questions).toEqual([
      'Write 3 objects (3.0 KiB) into acme-restore as of 2026-12-01T03:12:00Z (2 hours ago)? [y/N] ',
    ]);

    for (const answer of ['', 'n', 'no', 'yess', null]) {
      const io = fakeIo({ tty: true, answers: [answer] });
      const backend = fakeBackend();
      const { code, err } = await run(ARGV, { io, backend });
      expect({ answer, code }).toEqual({ answer, code: 4 });
      expect(err).toContain(
        'strongroom restore: aborted: nothing restored (the plan r-mx4test0001 stays under .strongroom/restores/',
      );
      expect(backend.calls.map(([c]) => c)).toEqual(['plan', 'close']);
    }
  });

  it('asks about removals too', async () => {
    const io = fakeIo({ tty: true, answers: ['YES'] });
    await run([...ARGV, '--remove-extraneous'], { io });
    expect(io.questions[0]).toContain('Write 3 objects (3.0 KiB) and remove 1 object into acme-restore');
  });

  it('nothing to write: says so, starts nothing, exit 0', async () => {
    const backend = fakeBackend({
      plan: planResponse({
        counts: { write: 0, skip: 4, extraneous: 0, absentAtT: 0 },
        bytes: { write: 0, skip: 9, extraneous: 0 },
      }),
    });
    const { code, out } = await run([...ARGV, '--yes'], { backend });
    expect(code).toBe(0);
    expect(out).toContain('Nothing to restore: acme-restore already holds every key as it was at 2026-12-01T03:12:00Z.');
    expect(backend.calls.map(([c]) => c)).toEqual(['plan', 'close']);
  });

  it('some objects failed: lists them, exit 3', async () => {
    const backend = fakeBackend({
      result: statusResponse({
        state: 'failed',
        progress: progress({ objectsDone: 2, bytesDone: 2048, failed: 1 }),
        failures: [
          { key: 'ledger/q1.csv', reason: 'UntrustedVersionError: the vault bytes hash to 00ff, the journal records 11aa' },
        ],
      }),
    });
    const { code, out } = await run([...ARGV, '--yes'], { backend });
    expect(code).toBe(3);
    expect(out).toContain('Restore FAILED: 2 of 3 objects (2.0 KiB of 3.0 KiB) into acme-restore');
    expect(out).toContain(
      '1 object failed:\n  ledger/q1.csv: UntrustedVersionError: the vault bytes hash to 00ff, the journal records 11aa\n',
    );
    expect(out).toContain(
      'To retry them, run it again with --as-of 2026-12-01T03:12:00Z: what is already restored is found identical and skipped.',
    );
  });

  it('--json: one document with the plan and the result on stdout, the echo on stderr', async () => {
    const { code, out, err } = await run([...ARGV, '--yes', '--json']);
    expect(code).toBe(0);
    const doc = JSON.parse(out);
    expect(doc).toEqual({
      where: 'a fake backend',
      source: { shown: 'acme-invoices', actual: 'local-acme-invoices' },
      target: { shown: 'acme-restore', actual: 'local-acme-restore' },
      asOf: { input: '2h ago', instant: '2026-12-01T03:12:00Z', relative: '2 hours ago' },
      distrustWritesAfter: null,
      restoreId: 'r-mx4test0001',
      plan: expect.objectContaining({
        counts: { write: 3, skip: 1, extraneous: 1, absentAtT: 2 },
        manifest: expect.objectContaining({ lines: 5 }),
      }),
      result: expect.objectContaining({ state: 'succeeded', progress: progress() }),
      outcome: 'succeeded',
      exitCode: 0,
    });
    expect(err).toBe('Restoring acme-invoices into acme-restore as of 2026-12-01T03:12:00Z (2 hours ago), from "2h ago"\n');
  });

  it('maps the restore service refusals to exit 2 with the flag named, other failures to exit 1', async () => {
    const refusing = fakeBackend();
    refusing.plan = async () => {
      throw Object.assign(
        new Error(
          'invalid restore request: asOf: received "2026-11-01T00:00:00.000Z", expected an instant at or after the earliest restorable time, 2026-11-30T08:00:00.000Z',
        ),
        { name: 'RestoreRequestError' },
      );
    };
    const refused = await run([...ARGV, '--yes'], { backend: refusing });
    expect(refused.code).toBe(2);
    expect(refused.err).toContain(
      'strongroom restore: invalid restore request: --as-of (asOf): received "2026-11-01T00:00:00.000Z", expected an instant at or after',
    );

    const broken = fakeBackend();
    broken.start = async () => {
      throw Object.assign(new Error('UnknownError'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    };
    const failed = await run([...ARGV, '--yes'], { backend: broken });
    expect(failed.code).toBe(1);
    expect(failed.err).toContain('strongroom restore: failed: AccessDenied (HTTP 403)');
    expect(broken.calls.at(-1)).toEqual(['close', undefined]);
  });
});
