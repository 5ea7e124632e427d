import { resolve } from 'node:path';
import type { App } from 'aws-cdk-lib';

/** The cdk.json context key naming the config file; override with `cdk synth -c strongroom:config=<file>`. */
export const CONFIG_CONTEXT_KEY = 'strongroom:config';

export function configPathFromContext(app: App): string {
  const value: unknown = app.node.tryGetContext(CONFIG_CONTEXT_KEY);
  if (typeof value !== 'string' || value.length === 0) {
    throw new Error(
      `context "${CONFIG_CONTEXT_KEY}": received ${JSON.stringify(value)}, expected the path of a config file (set it in cdk.json or pass -c ${CONFIG_CONTEXT_KEY}=<file>)`,
    );
  }
  return resolve(value);
}
