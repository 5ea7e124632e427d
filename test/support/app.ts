import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';

export const CDK_JSON_FILE = join(__dirname, '..', '..', 'cdk.json');

/**
 * cdk.json's `context`, read once: the feature flags `cdk synth` runs with. A bare `new App()` in a test
 * sees none of them (only the CLI passes cdk.json to the app), so its templates would not be the ones
 * users deploy.
 */
export const CDK_CONTEXT: Readonly<Record<string, unknown>> = Object.freeze(
  JSON.parse(readFileSync(CDK_JSON_FILE, 'utf8')).context as Record<string, unknown>,
);

/** An App with cdk.json's context (as `cdk synth` builds it), plus test-only context such as skipped bundling. */
export function testApp(context: Record<string, unknown> = {}): App {
  return new App({ context: { ...CDK_CONTEXT, ...context } });
}

/** Test-only context: skip Lambda bundling (asset hashes then stand in for the code). */
export const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };
