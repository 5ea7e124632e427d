/**
 * `npm run drill` on the integ run's local S3: the whole catalogue against a backed-up, sealed vault with a
 * filed report. Every attempt must meet its expectation, between two inventories that find nothing lost or
 * changed and no version but those the catalogue's attempts were expected to add.
 */
import { drillCatalogue, PRINCIPALS } from '../../local/drill/catalogue';
import { type DrillReport, runDrill } from '../../local/drill/run-drill';
import { seededDeployment } from './support/drill';

jest.setTimeout(240_000);

let report: DrillReport;
beforeAll(async () => {
  report = await runDrill(await seededDeployment('drill'));
});

test('every attempt of the catalogue held', () => {
  const failed = report.results
    .filter((r) => !r.held)
    .map((r) => `${PRINCIPALS[r.principal].label}: ${r.attempt}: expected ${r.expected}, got ${r.actual}`);
  expect(failed).toEqual([]);
  expect(report.ok).toBe(true);
});

test('at least 100 attempts over at least 6 principals, the whole catalogue', () => {
  expect(report.results.length).toBe(drillCatalogue().length);
  expect(report.results.length).toBeGreaterThanOrEqual(100);
  expect(report.principals).toBeGreaterThanOrEqual(6);
  expect(new Set(report.results.map((r) => r.principal))).toEqual(new Set(Object.keys(PRINCIPALS)));
});

test('nothing in the vault was lost or changed; every version added was added by an attempt expected to', () => {
  const c = report.comparison;
  // objects, tombstones, journal segments, the seal and its index, the report
  expect(report.before).toBeGreaterThanOrEqual(18);
  expect({
    lost: c.lost,
    changed: c.changed,
    markers: c.deleteMarkersAdded,
    unexplained: c.unexplained,
    missing: c.missing,
  }).toEqual({
    lost: [],
    changed: [],
    markers: 0,
    unexplained: [],
    missing: [],
  });
  const adding = report.results.filter((r) => r.added);
  expect(c.added).toHaveLength(adding.length);
  expect(report.after).toBe(report.before + adding.length);
  // the writes the catalogue allows (ingest, evidence writer, break-glass) and the overwrites RGW lets through
  expect(adding.length).toBeGreaterThanOrEqual(6);
});
