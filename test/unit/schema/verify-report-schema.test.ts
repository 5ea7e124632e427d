import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { VerifyReportSchema } from '../../../contract/verify-report';
import { VERIFY_REPORT_SCHEMA_FILE, verifyReportJsonSchema } from '../../../scripts/generate-schema';
import { allPassReport, failingReport, skippedReport } from '../../fixtures/verify-reports';

/*
 * The published JSON Schema: the committed file is what `npm run schema` generates from the zod schema,
 * and it accepts the reports the verifier writes and refuses ones that break the contract.
 */

const committed = JSON.parse(readFileSync(VERIFY_REPORT_SCHEMA_FILE, 'utf8'));

// Strict, so a keyword ajv does not know fails here; union types (`"type": [...]`) are valid 2020-12.
const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
addFormats(ajv);
const validate = ajv.compile(committed);

describe('schema/verify-report.schema.json', () => {
  it('is what `npm run schema` generates from contract/verify-report.ts', () => {
    const generated = JSON.parse(verifyReportJsonSchema());
    if (JSON.stringify(committed) !== JSON.stringify(generated)) {
      throw new Error(
        'schema/verify-report.schema.json is out of date with VerifyReportSchema (contract/verify-report.ts): run `npm run schema` and commit the file',
      );
    }
    expect(committed.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  it.each([
    ['all checks passing', allPassReport],
    ['failures with findings', failingReport],
    ['skipped checks and a failed filing', skippedReport],
  ])('accepts a report with %s', (_, build) => {
    const report = JSON.parse(JSON.stringify(build()));
    expect(validate(report) ? [] : validate.errors).toEqual([]);
  });

  const broken: [string, (r: any) => void, { instancePath: string; keyword: string }][] = [
    [
      'a check status outside PASS/WARN/FAIL/SKIPPED',
      (r) => (r.checks[0].status = 'OK'),
      { instancePath: '/checks/0/status', keyword: 'enum' },
    ],
    ['a missing field', (r) => delete r.checks[2].remediation, { instancePath: '/checks/2', keyword: 'required' }],
    ['a missing top-level field', (r) => delete r.covers, { instancePath: '', keyword: 'required' }],
    [
      'an unknown field',
      (r) => (r.deployment.region = 'eu-west-1'),
      { instancePath: '/deployment', keyword: 'additionalProperties' },
    ],
    [
      'an unknown check id',
      (r) => (r.summary.failing = ['vault.lock.gone']),
      { instancePath: '/summary/failing/0', keyword: 'enum' },
    ],
    ['an overall SKIPPED', (r) => (r.summary.status = 'SKIPPED'), { instancePath: '/summary/status', keyword: 'enum' }],
    [
      'a time that is not an instant',
      (r) => (r.startedAt = '2025-03-01 05:00'),
      { instancePath: '/startedAt', keyword: 'format' },
    ],
    [
      'a negative finding count',
      (r) => (r.checks[1].findingCount = -1),
      { instancePath: '/checks/1/findingCount', keyword: 'minimum' },
    ],
    ['another format version', (r) => (r.formatVersion = 2), { instancePath: '/formatVersion', keyword: 'const' }],
    [
      'an object as evidence value',
      (r) => (r.checks[0].evidence.nested = { a: 1 }),
      { instancePath: '/checks/0/evidence/nested', keyword: 'type' },
    ],
  ];

  it.each(broken)('refuses a report with %s, naming where', (_, breakIt, expected) => {
    const report = JSON.parse(JSON.stringify(failingReport()));
    expect(validate(report)).toBe(true);
    breakIt(report);
    expect(validate(report)).toBe(false);
    expect(validate.errors).toEqual(expect.arrayContaining([expect.objectContaining(expected)]));
    expect(VerifyReportSchema.safeParse(report).success).toBe(false); // the zod schema agrees
  });
});
