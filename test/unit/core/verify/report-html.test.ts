import { CHECK_IDS } from '../../../../contract/verify-report';
import { escapeHtml, formatDuration, formatUtc, renderReportHtml } from '../../../../lambda/core/verify/report-html';
import { allPassReport, FAILING_IDS, failingReport, HOSTILE_KEY, skippedReport } from '../../../fixtures/verify-reports';

/** Every tag name opened in the document, in order (enough to see what markup a report string injected). */
const tagsOf = (html: string): string[] =>
  [...html.matchAll(/<([a-zA-Z][a-zA-Z0-9-]*)[\s>/]/g)].map((m) => (m[1] ?? '').toLowerCase());

describe('renderReportHtml', () => {
  it('escapes every string from the report: a hostile key, bucket or error stays text', () => {
    const report = failingReport();
    report.deployment.name = `"><script>alert(1)</script>`;
    report.checks = report.checks.map((c, i) =>
      i === 0 ? { ...c, evidence: { [HOSTILE_KEY]: HOSTILE_KEY }, remediation: '</style><b>x</b>' } : c,
    );
    const html = renderReportHtml(report);

    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<b>');
    expect(html).toContain(escapeHtml(HOSTILE_KEY));
    expect(html).toContain('&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    // The markup is the renderer's own: the same tags whatever the strings held.
    expect(new Set(tagsOf(html))).toEqual(new Set(tagsOf(renderReportHtml(failingReport()))));
    expect(tagsOf(html)).not.toContain('img');
  });

  it('escapes the five characters that matter in text and attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;',
    );
  });

  it('loads nothing: no script, no external stylesheet, font, image or link', () => {
    for (const report of [allPassReport(), failingReport(), skippedReport()]) {
      const html = renderReportHtml(report);
      expect(html).not.toMatch(/<script|<img|<iframe|<object|@import|url\(/i);
      const urls = [...html.matchAll(/\b(?:href|src)="([^"]*)"/g)].map((m) => m[1] ?? '');
      expect(urls.length).toBeGreaterThan(0);
      for (const url of urls) expect(url).toMatch(/^(#check-|data:)/);
    }
  });

  it('puts the title and overall status first, then the summary, the time range, the checks, the config, the filing', () => {
    const html = renderReportHtml(failingReport());
    const at = (needle: string) => {
      const i = html.indexOf(needle);
      expect(i).toBeGreaterThanOrEqual(0);
      return i;
    };
    const order = [
      at('<h1>Strongroom verify report: strongroom <span class="badge badge-FAIL">FAIL</span>'),
      at('<section id="summary"'),
      at('<section id="time-range"'),
      at('<section id="checks"'),
      at(`id="check-${CHECK_IDS[0]}"`),
      at('<section id="config"'),
      at('<section id="filing"'),
    ];
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('lists each failing id in the summary, linking to its section, and every check once in report order', () => {
    const html = renderReportHtml(failingReport());
    const summary = html.slice(html.indexOf('<section id="summary"'), html.indexOf('<section id="time-range"'));
    expect(summary).toContain('<strong id="overall-status" class="status-FAIL">FAIL</strong>');
    expect(summary).toContain('Failing checks (4)');
    const linked = [...summary.matchAll(/<div class="failing">[\s\S]*?<\/div>/g)].join('');
    expect([...linked.matchAll(/href="#check-([^"]+)"/g)].map((m) => m[1])).toEqual(FAILING_IDS);
    expect(summary).toContain('Warnings (1)');
    expect(summary).toMatch(/badge-PASS">PASS<\/span> <strong>13<\/strong>/);
    expect(summary).toMatch(/badge-FAIL">FAIL<\/span> <strong>4<\/strong>/);
    expect(summary).toMatch(/badge-WARN">WARN<\/span> <strong>1<\/strong>/);
    expect(summary).toMatch(/badge-SKIPPED">SKIPPED<\/span> <strong>2<\/strong>/);
    const sections = [...html.matchAll(/<article id="check-([^"]+)" class="check check-([A-Z]+)"/g)];
    expect(sections.map((m) => m[1])).toEqual(CHECK_IDS);
    expect(sections.filter((m) => m[2] === 'FAIL').map((m) => m[1])).toEqual(FAILING_IDS);
  });

  it("renders each check's status in words, summary, evidence table, findings with the count not shown, remediation, role and time", () => {
    const html = renderReportHtml(failingReport());
    const section = html.slice(html.indexOf('id="check-coverage.copies"'), html.indexOf('id="check-coverage.sha256"'));
    expect(section).toContain('<span class="badge badge-FAIL">FAIL</span> <code>coverage.copies</code>');
    expect(section).toContain('1342 current source objects have no vault copy');
    expect(section).toContain('<tr><th scope="row"><code>missing</code></th><td>1342</td></tr>');
    expect(section).toContain('<li><code>prod-data/invoices/2025/00019.pdf</code></li>');
    expect(section).not.toContain('00020.pdf');
    expect(section).toContain('Findings (1342)');
    expect(section).toContain('and 1322 more');
    expect(section).toContain('<strong>Remediation:</strong> run the reconciler now');
    expect(section).toContain('Ran as <code>verify</code> in 120 ms');

    const seals = html.slice(html.indexOf('id="check-journal.seals"'), html.indexOf('id="check-journal.late-segments"'));
    expect(seals).toContain('<td><span class="muted">none</span></td>'); // a null evidence value
    expect(seals).not.toContain('more');
    const recovery = html.slice(html.indexOf('id="check-backup.recovery-points"'), html.indexOf('id="check-drill.restore"'));
    expect(recovery).toContain('No evidence recorded.');
    expect(recovery).toContain('badge-SKIPPED">SKIPPED</span>');
  });

  it('states the time range covered and the run, in UTC with durations', () => {
    const html = renderReportHtml(failingReport());
    expect(html).toContain('<dd>2025-01-18 09:12:00 UTC to 2025-03-01 05:03:12.450 UTC (41 d 19 h)</dd>');
    expect(html).toContain('<dd>2025-03-01 05:00:00 UTC</dd>');
    expect(html).toContain('<dd>2025-03-01 05:03:12.450 UTC (3 min 12 s)</dd>');
    expect(renderReportHtml(skippedReport())).toContain('<dd>no vault write seen to 2025-03-01 05:03:12.450 UTC</dd>');
  });

  it('shows the config measured against, and where the report is filed or why filing failed', () => {
    const failing = renderReportHtml(failingReport());
    expect(failing).toContain('365 days (COMPLIANCE)');
    expect(failing).toContain('<li><code>prod-data</code>: the whole bucket</li>');
    expect(failing).toContain('<li><code>prod-logs</code>: prefixes <code>app/</code>, <code>audit/</code></li>');
    expect(failing).toContain('<code>strongroom-vault</code>: retention 30–3650 days, lock changeable for 3 days');
    expect(failing).toContain('a random sample of 1000 versions');
    expect(failing).toContain('25 objects into <code>prod-restore</code>');
    expect(failing).toContain('JSON: <code>reports/222222222222/2025/03/01/v-20250301-0500-a1b2.json</code>');
    expect(failing).toContain('HTML: <code>reports/222222222222/2025/03/01/v-20250301-0500-a1b2.html</code>');

    const local = renderReportHtml(skippedReport());
    expect(local).toContain('none (no AWS Backup here)');
    expect(local).toContain('every version (420)');
    expect(local).toContain('Restore drill</th><td><span class="muted">not configured</span>');
    expect(local).toContain('<strong>Not filed:</strong> AccessDenied: the evidence writer may not write reports/primary/');
    expect(renderReportHtml({ ...skippedReport(), filingError: null })).toContain('Not filed in the vault');
  });

  it('says so when nothing failed, with the overall status in the title', () => {
    const html = renderReportHtml(allPassReport());
    expect(html).toContain('<title>PASS: Strongroom verify report for strongroom, 2025-03-01 05:00:00 UTC</title>');
    expect(html).toContain('No check failed.');
    expect(html).not.toContain('class="failing"');
    expect(html).not.toContain('Warnings (');
  });

  it('prints without losing meaning: checks start on a new page and are not split, statuses are words not colours', () => {
    const html = renderReportHtml(failingReport());
    const print = html.slice(html.indexOf('@media print'));
    expect(print).toMatch(/\.check \{[^}]*break-inside: avoid/);
    expect(print).toMatch(/#checks \{[^}]*break-before: page/);
    for (const status of ['PASS', 'WARN', 'FAIL', 'SKIPPED']) {
      expect(html).toContain(`<span class="badge badge-${status}">${status}</span>`);
    }
  });
});

describe('formatUtc and formatDuration', () => {
  it('writes instants in UTC, whatever offset they carried', () => {
    expect(formatUtc('2025-03-01T06:30:00+01:30')).toBe('2025-03-01 05:00:00 UTC');
    expect(formatUtc('2025-03-01T05:00:00.120Z')).toBe('2025-03-01 05:00:00.120 UTC');
    expect(formatUtc('not a time')).toBe('not a time');
  });

  it.each([
    [0, '0 ms'],
    [340, '340 ms'],
    [12_345, '12.3 s'],
    [60_000, '1 min'],
    [245_000, '4 min 5 s'],
    [7_200_000, '2 h'],
    [7_380_000, '2 h 3 min'],
    [86_400_000, '1 d'],
    [3_612_000_000, '41 d 19 h'],
  ])('%d ms reads %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
