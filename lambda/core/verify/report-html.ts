import { type CheckResult, type CheckStatus, FINDINGS_SHOWN, type VerifyReport } from '../../../contract/verify-report';

/*
 * The verify report for people: one self-contained HTML document (inline CSS, no script, no external
 * font, image or stylesheet), filed next to the JSON under `reports/<account>/`. It is read on screen,
 * in a narrow window, and printed for an auditor's file, so:
 *   - the order is what a reader needs first: overall status, the counts and the failing ids (each a link
 *     to its check), the time range covered, then every check, the config measured against, the filing;
 *   - a status is always written out (a badge with its word), never told by colour alone, and print
 *     drops backgrounds without losing meaning;
 *   - every string from the report is escaped: keys, bucket names and error texts are attacker-influenced.
 */

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe in element content and in quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** `2025-03-01T05:00:00.000Z` -> `2025-03-01 05:00:00 UTC`; whatever does not parse is shown as it came. */
export function formatUtc(instant: string): string {
  const ms = Date.parse(instant);
  if (Number.isNaN(ms)) return instant;
  const iso = new Date(ms).toISOString();
  const fraction = iso.slice(19, 23) === '.000' ? '' : iso.slice(19, 23);
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction} UTC`;
}

/** 340 -> `340 ms`, 12_345 -> `12.3 s`, 245_000 -> `4 min 5 s`, 7_380_000 -> `2 h 3 min`, 3_612_000_000 -> `41 d 19 h`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return `${ms} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.floor(ms / 1000);
  const [d, h, m, s] = [
    Math.floor(seconds / 86_400),
    Math.floor(seconds / 3600) % 24,
    Math.floor(seconds / 60) % 60,
    seconds % 60,
  ];
  if (d > 0) return h > 0 ? `${d} d ${h} h` : `${d} d`;
  if (h > 0) return m > 0 ? `${h} h ${m} min` : `${h} h`;
  return s > 0 ? `${m} min ${s} s` : `${m} min`;
}

const between = (from: string, to: string): string => {
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isNaN(ms) ? '' : ` (${formatDuration(ms)})`;
};

const STATUS_WORDS: Readonly<Record<CheckStatus, string>> = {
  PASS: 'proven on the evidence listed',
  WARN: 'not failing yet, or not fully provable',
  FAIL: 'disproven: act on the remediation',
  SKIPPED: 'not applicable here',
};

// Statuses and ids come from enums, but are escaped like every other string: the renderer trusts no input.
const badge = (status: CheckStatus): string => `<span class="badge badge-${escapeHtml(status)}">${escapeHtml(status)}</span>`;

/** The anchor of a check's section, shared by the summary's links. */
const checkAnchor = (id: string): string => `check-${id}`;

const code = (value: string): string => `<code>${escapeHtml(value)}</code>`;

function evidenceValue(value: CheckResult['evidence'][string]): string {
  if (value === null) return '<span class="muted">none</span>';
  return escapeHtml(String(value));
}

function renderTable(rows: readonly (readonly [string, string])[], caption: string, className: string): string {
  const body = rows.map(([name, value]) => `<tr><th scope="row">${name}</th><td>${value}</td></tr>`).join('\n');
  return `<table class="${className}"><caption>${caption}</caption>\n${body}\n</table>`;
}

function renderSummary(report: VerifyReport): string {
  const { summary } = report;
  const counts = (['PASS', 'WARN', 'FAIL', 'SKIPPED'] as const)
    .map((status) => {
      const n = { PASS: summary.pass, WARN: summary.warn, FAIL: summary.fail, SKIPPED: summary.skipped }[status];
      return `<li class="count count-${status}">${badge(status)} <strong>${n}</strong> <span class="muted">${STATUS_WORDS[status]}</span></li>`;
    })
    .join('\n');
  const titles = new Map(report.checks.map((c) => [c.id, c.title]));
  const linkList = (ids: readonly string[], className: string, heading: string): string => {
    const items = ids
      .map((id) => {
        const title = titles.get(id as CheckResult['id']);
        return `<li><a href="#${escapeHtml(checkAnchor(id))}">${code(id)}</a>${title ? ` ${escapeHtml(title)}` : ''}</li>`;
      })
      .join('\n');
    return `<div class="${className}"><h3>${heading} (${ids.length})</h3>\n<ul>\n${items}\n</ul></div>`;
  };
  const warning = report.checks.filter((c) => c.status === 'WARN').map((c) => c.id);
  const failing =
    summary.failing.length > 0
      ? linkList(summary.failing, 'failing', 'Failing checks')
      : '<p class="none-failing">No check failed.</p>';
  return `<section id="summary" class="summary">
<h2>Summary</h2>
<p class="overall">Overall status: <strong id="overall-status" class="status-${escapeHtml(summary.status)}">${escapeHtml(summary.status)}</strong>
 <span class="muted">(${report.checks.length} checks)</span></p>
<ul class="counts">
${counts}
</ul>
${failing}
${warning.length > 0 ? linkList(warning, 'warning', 'Warnings') : ''}
</section>`;
}

function renderTimes(report: VerifyReport): string {
  const { covers } = report;
  const from = covers.from === null ? 'no vault write seen' : formatUtc(covers.from);
  const range = covers.from === null ? '' : between(covers.from, covers.to);
  return `<section id="time-range" class="times">
<h2>Time range covered</h2>
<dl>
<dt>Evidence covers</dt><dd>${escapeHtml(from)} to ${escapeHtml(formatUtc(covers.to))}${escapeHtml(range)}</dd>
<dt>Run started</dt><dd>${escapeHtml(formatUtc(report.startedAt))}</dd>
<dt>Run finished</dt><dd>${escapeHtml(formatUtc(report.finishedAt))}${escapeHtml(between(report.startedAt, report.finishedAt))}</dd>
<dt>Report id</dt><dd>${code(report.reportId)}</dd>
</dl>
</section>`;
}

function renderFindings(check: CheckResult): string {
  if (check.findingCount === 0 && check.findings.length === 0) return '';
  const items = check.findings.map((f) => `<li>${code(f)}</li>`).join('\n');
  const more = check.findingCount - check.findings.length;
  const moreLine =
    more > 0 ? `<p class="more">and ${more} more (a report keeps the first ${FINDINGS_SHOWN} of ${check.findingCount})</p>` : '';
  return `<div class="findings"><h4>Findings (${check.findingCount})</h4>
${items ? `<ul>\n${items}\n</ul>` : ''}
${moreLine}</div>`;
}

function renderCheck(check: CheckResult): string {
  const evidence = Object.entries(check.evidence);
  const evidenceTable =
    evidence.length > 0
      ? renderTable(
          evidence.map(([name, value]) => [code(name), evidenceValue(value)] as const),
          'Evidence',
          'evidence',
        )
      : '<p class="muted">No evidence recorded.</p>';
  return `<article id="${escapeHtml(checkAnchor(check.id))}" class="check check-${escapeHtml(check.status)}">
<h3>${badge(check.status)} ${code(check.id)} <span class="title">${escapeHtml(check.title)}</span></h3>
<p class="check-summary">${escapeHtml(check.summary)}</p>
${evidenceTable}
${renderFindings(check)}
<p class="remediation"><strong>Remediation:</strong> ${escapeHtml(check.remediation)}</p>
<p class="meta">Ran as ${code(check.ranAs)} in ${escapeHtml(formatDuration(check.durationMs))}</p>
</article>`;
}

function renderConfig(config: VerifyReport['config']): string {
  const sources =
    config.sources.length === 0
      ? '<span class="muted">none</span>'
      : `<ul>${config.sources
          .map((s) => {
            const scope = s.prefixes.length === 0 ? 'the whole bucket' : `prefixes ${s.prefixes.map(code).join(', ')}`;
            return `<li>${code(s.bucket)}: ${scope}</li>`;
          })
          .join('')}</ul>`;
  const vault = config.backupVault;
  const rows: [string, string][] = [
    ['Vault retention', `${config.retentionDays} days (COMPLIANCE)`],
    ['RPO', `${config.rpoMinutes} minutes`],
    ['Sources', sources],
    [
      'AWS Backup vault',
      vault === null
        ? '<span class="muted">none (no AWS Backup here)</span>'
        : `${code(vault.name)}: retention ${vault.minRetentionDays}–${vault.maxRetentionDays} days, lock changeable for ${vault.changeableForDays} days`,
    ],
    ['Encryption', code(config.encryption)],
    [
      'Retention checked on',
      config.retentionSample.mode === 'full'
        ? `every version (${config.retentionSample.size})`
        : `a random sample of ${config.retentionSample.size} versions`,
    ],
    [
      'Restore drill',
      config.drill === null
        ? '<span class="muted">not configured</span>'
        : `${config.drill.sampleSize} objects into ${code(config.drill.targetBucket)} under ${code(config.drill.prefix)}`,
    ],
  ];
  return `<section id="config" class="config">
<h2>Configuration measured against</h2>
${renderTable(rows, 'Configuration', 'settings')}
</section>`;
}

function renderFiling(report: VerifyReport): string {
  let body: string;
  if (report.filed !== null) {
    body = `<p>Filed write-once in the vault bucket ${code(report.deployment.vaultBucket)}:</p>
<ul><li>JSON: ${code(report.filed.json)}</li><li>HTML: ${code(report.filed.html)}</li></ul>`;
  } else if (report.filingError !== null) {
    body = `<p class="filing-error"><strong>Not filed:</strong> ${escapeHtml(report.filingError)}</p>`;
  } else {
    body = '<p>Not filed in the vault (this run was not asked to file it).</p>';
  }
  return `<section id="filing" class="filing">
<h2>Where this report is filed</h2>
${body}
</section>`;
}

const STYLE = `
:root { color-scheme: light; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --pass: #1a7f37; --warn: #9a6700; --fail: #cf222e; --skip: #57606a; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 62rem; padding: 1rem; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg); background: #fff; overflow-wrap: anywhere; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.2rem; margin: 1.5rem 0 .5rem; border-bottom: 2px solid var(--line); padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin: .25rem 0; }
h4 { font-size: .95rem; margin: .5rem 0 .25rem; }
code { font: .9em/1.3 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
a { color: inherit; }
.muted { color: var(--muted); }
.deployment { margin: 0; color: var(--muted); }
.badge { display: inline-block; min-width: 4.6em; text-align: center; font: 700 .8rem/1.4 ui-monospace, Menlo, Consolas, monospace; padding: 0 .35em; border: 2px solid currentColor; border-radius: 3px; }
.badge-PASS, .status-PASS { color: var(--pass); }
.badge-WARN, .status-WARN { color: var(--warn); }
.badge-FAIL, .status-FAIL { color: var(--fail); }
.badge-SKIPPED { color: var(--skip); border-style: dashed; }
.summary { border: 2px solid var(--line); border-radius: 6px; padding: 0 1rem .75rem; }
.overall { font-size: 1.15rem; margin: .5rem 0; }
.overall strong { font-size: 1.3rem; }
.counts { list-style: none; padding: 0; margin: .25rem 0; display: flex; flex-wrap: wrap; gap: .25rem 1.5rem; }
.failing { border-left: 6px solid var(--fail); padding: .1rem .75rem; margin: .75rem 0; }
.failing h3 { color: var(--fail); }
.failing ul, .warning ul { margin: .25rem 0; padding-left: 1.2rem; }
.failing li { font-weight: 600; }
.warning { border-left: 6px double var(--warn); padding: .1rem .75rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0; }
dt { font-weight: 600; }
dd { margin: 0; }
.check { border: 1px solid var(--line); border-left-width: 6px; border-radius: 4px; padding: .5rem .75rem; margin: .75rem 0; }
.check-PASS { border-left-color: var(--pass); }
.check-WARN { border-left-color: var(--warn); border-left-style: double; }
.check-FAIL { border-left-color: var(--fail); }
.check-SKIPPED { border-left-color: var(--skip); border-left-style: dashed; }
.check-summary { margin: .25rem 0 .5rem; }
table { border-collapse: collapse; width: 100%; margin: .25rem 0; font-size: .92em; }
caption { text-align: left; font-weight: 600; padding: .2rem 0; }
th, td { border: 1px solid var(--line); padding: .2rem .4rem; text-align: left; vertical-align: top; }
th { width: 35%; font-weight: 500; }
.findings ul { margin: .2rem 0; padding-left: 1.2rem; }
.more { margin: .2rem 0; font-style: italic; }
.remediation, .meta { margin: .35rem 0; }
.meta { color: var(--muted); font-size: .9em; }
.filing-error { color: var(--fail); }
@media (max-width: 36rem) {
  body { padding: .5rem; font-size: 14px; }
  dl { grid-template-columns: 1fr; }
  dd { margin-bottom: .3rem; }
  th { width: 40%; }
}
@page { margin: 14mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  h2 { break-after: avoid; page-break-after: avoid; }
  .summary, .times, .check { break-inside: avoid; page-break-inside: avoid; }
  #checks { break-before: page; page-break-before: always; }
  a { text-decoration: none; }
}
`;

/** The whole report as one HTML document (UTF-8), nothing fetched when it is opened. */
export function renderReportHtml(report: VerifyReport): string {
  const { deployment, summary } = report;
  const name = escapeHtml(deployment.name);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(summary.status)}: Strongroom verify report for ${name}, ${escapeHtml(formatUtc(report.startedAt))}</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>Strongroom verify report: ${name} ${badge(summary.status)}</h1>
<p class="deployment">${escapeHtml(deployment.where)} · primary account ${code(deployment.primaryAccount)} · backup account ${code(deployment.backupAccount)} · vault ${code(deployment.vaultBucket)}</p>
</header>
<main>
${renderSummary(report)}
${renderTimes(report)}
<section id="checks">
<h2>Checks</h2>
${report.checks.map(renderCheck).join('\n')}
</section>
${renderConfig(report.config)}
${renderFiling(report)}
</main>
</body>
</html>
`;
}
