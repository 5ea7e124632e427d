import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { REPORT_FORMAT_VERSION, VerifyReportSchema } from '../contract/verify-report';

/*
 * The published JSON Schema of the verify report, generated from the zod schema that the verifier and the
 * CLI parse with (contract/verify-report.ts), so the two cannot drift: `npm run schema` rewrites
 * schema/verify-report.schema.json (then lets biome lay it out, as it does every JSON file here), and a unit
 * test fails when the committed file's content differs from this output.
 */

export const VERIFY_REPORT_SCHEMA_FILE = join(__dirname, '..', 'schema', 'verify-report.schema.json');

/** The schema document, as JSON. */
export function verifyReportJsonSchema(): string {
  const generated = z.toJSONSchema(VerifyReportSchema, { target: 'draft-2020-12', io: 'output', unrepresentable: 'throw' });
  const { $schema, ...rest } = generated;
  const document = {
    $schema,
    title: 'Strongroom verify report',
    description: `What a Strongroom verify run files under reports/<account>/ and returns (format version ${REPORT_FORMAT_VERSION}). Generated from contract/verify-report.ts by \`npm run schema\`: do not edit by hand.`,
    ...rest,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

if (require.main === module) {
  writeFileSync(VERIFY_REPORT_SCHEMA_FILE, verifyReportJsonSchema());
  execFileSync(process.execPath, [require.resolve('@biomejs/biome/bin/biome'), 'format', '--write', VERIFY_REPORT_SCHEMA_FILE], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  process.stdout.write(`wrote ${VERIFY_REPORT_SCHEMA_FILE}\n`);
}
