import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { renderReportHtml } from '../../lambda/core/verify/report-html';
import { FAILING_IDS, failingReport, HOSTILE_KEY } from '../fixtures/verify-reports';

/*
 * The HTML verify report in a real headless Chromium (Debian's `chromium`, driven by playwright-core):
 * rendered from a report with failures, screenshots saved under test-output/, and what a reader must see
 * asserted on the page — on screen, in a narrow window and printed. Never skipped: without the browser
 * the suite fails and says how to install it (CI installs it).
 */

jest.setTimeout(90_000);

// What the page functions below use inside the browser (the project compiles without the DOM library).
declare const document: any;
declare const window: any;
declare const Node: any;
declare function getComputedStyle(element: unknown): any;

const CHROMIUM = process.env.STRONGROOM_CHROMIUM ?? '/usr/bin/chromium';
const OUTPUT = join(__dirname, '..', '..', 'test-output');
/** An A4 page (794 × 1123 CSS pixels at 96 dpi) less the report's 14 mm @page margins. */
const PRINTED_PAGE = { width: Math.floor(794 - 2 * 53), height: Math.floor(1123 - 2 * 53) };

let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no Chromium at ${CHROMIUM}: the HTML report tests need Debian's browser — run \`apt-get install -y chromium\` (or set STRONGROOM_CHROMIUM to its path)`,
    );
  }
  mkdirSync(OUTPUT, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'],
  });
});

afterAll(async () => {
  await browser?.close();
});

interface Loaded {
  readonly page: Page;
  /** Every URL the page asked for (all aborted: nothing leaves the machine). */
  readonly requests: string[];
  /** Every dialog (alert, confirm) a script opened. */
  readonly dialogs: string[];
}

async function load(html: string, viewport = { width: 1200, height: 900 }): Promise<Loaded> {
  const page = await browser.newPage({ viewport });
  const requests: string[] = [];
  const dialogs: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.route('**/*', (route) => route.abort());
  await page.setContent(html, { waitUntil: 'load' });
  return { page, requests, dialogs };
}

const saved = (name: string): string => {
  const path = join(OUTPUT, name);
  process.stdout.write(`verify report rendering saved: ${path}\n`);
  return path;
};

describe('the HTML verify report in Chromium', () => {
  const report = failingReport();
  const html = renderReportHtml(report);

  beforeAll(() => {
    writeFileSync(saved('verify-report.html'), html);
  });

  it('detects a request when a document makes one (so the no-request assertion below can fail)', async () => {
    const { page, requests } = await load('<!doctype html><title>x</title><img src="http://127.0.0.1:9/pixel.png">');
    await page.close();
    expect(requests).toEqual(['http://127.0.0.1:9/pixel.png']);
  });

  it('renders with the summary first, every failing id shown and linked, overall FAIL, and fetches nothing', async () => {
    const { page, requests, dialogs } = await load(html);
    await page.screenshot({ path: saved('verify-report.png'), fullPage: true });

    expect(requests.filter((url) => !url.startsWith('data:'))).toEqual([]);
    expect(dialogs).toEqual([]);
    expect((await page.locator('#overall-status').textContent())?.trim()).toBe('FAIL');
    expect(await page.title()).toMatch(/^FAIL: Strongroom verify report for strongroom/);

    const summaryBeforeChecks = await page.evaluate(() => {
      const summary = document.getElementById('summary');
      const first = document.querySelector('article.check');
      return (
        summary !== null && first !== null && (summary.compareDocumentPosition(first) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0
      );
    });
    expect(summaryBeforeChecks).toBe(true);

    const listed = await page
      .locator('#summary .failing a')
      .evaluateAll((links) => links.map((a) => ({ text: a.textContent, href: a.getAttribute('href') })));
    expect(listed).toEqual(FAILING_IDS.map((id) => ({ text: id, href: `#check-${id}` })));
    for (const id of FAILING_IDS) {
      expect(await page.locator(`#summary .failing a[href="#check-${id}"]`).isVisible()).toBe(true);
      const section = page.locator(`article[id="check-${id}"]`);
      expect(await section.isVisible()).toBe(true);
      expect(await section.locator('h3 code').textContent()).toBe(id);
      expect((await section.locator('.badge').textContent())?.trim()).toBe('FAIL');
    }
    const summaryText = await page.locator('#summary').textContent();
    expect(summaryText).toMatch(/FAIL\s+4/);
    expect(summaryText).toMatch(/WARN\s+1/);
    expect(summaryText).toMatch(/SKIPPED\s+2/);

    // The summary's link takes the reader to the check.
    await page.locator('#summary .failing a[href="#check-journal.seals"]').click();
    const top = await page.locator('article[id="check-journal.seals"]').evaluate((el) => el.getBoundingClientRect().top);
    expect(Math.abs(top)).toBeLessThan(5);
    await page.close();
  });

  it('shows a hostile key as text: no element injected, no script run', async () => {
    const { page, dialogs } = await load(html);
    expect(await page.locator('img, script, iframe').count()).toBe(0);
    expect(await page.locator('body').textContent()).toContain(HOSTILE_KEY);
    expect(await page.getByText(HOSTILE_KEY).first().isVisible()).toBe(true);
    expect(dialogs).toEqual([]);
    await page.close();
  });

  it('reads in a narrow window without sideways scrolling', async () => {
    const { page } = await load(html, { width: 360, height: 740 });
    await page.screenshot({ path: saved('verify-report-narrow.png'), fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await page.locator('#summary .failing').isVisible()).toBe(true);
    await page.close();
  });

  it('prints with the summary on page one, checks from a new page, each status in words', async () => {
    const { page } = await load(html, PRINTED_PAGE);
    await page.emulateMedia({ media: 'print' });
    await page.pdf({ path: saved('verify-report-print.pdf'), format: 'A4' });
    await page.screenshot({ path: saved('verify-report-print.png'), fullPage: true });

    const summary = page.locator('#summary');
    expect(await summary.isVisible()).toBe(true);
    const box = await summary.boundingBox();
    expect(box).not.toBeNull();
    expect((box?.y ?? Infinity) + (box?.height ?? Infinity)).toBeLessThan(PRINTED_PAGE.height);
    for (const id of FAILING_IDS) expect(await page.locator(`#summary a[href="#check-${id}"]`).isVisible()).toBe(true);

    const layout = await page.evaluate(() => ({
      checksBreakBefore: getComputedStyle(document.getElementById('checks')).breakBefore,
      checkBreakInside: [...document.querySelectorAll('article.check')].map((el: unknown) => getComputedStyle(el).breakInside),
      badges: [...document.querySelectorAll('article.check .badge')].map((el: any) => el.textContent),
    }));
    expect(layout.checksBreakBefore).toBe('page');
    expect(new Set(layout.checkBreakInside)).toEqual(new Set(['avoid']));
    expect(layout.badges).toEqual(report.checks.map((c) => c.status));
    await page.close();
  });
});
