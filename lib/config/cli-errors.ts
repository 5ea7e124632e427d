import { ConfigError } from './errors';

/**
 * Run the CDK app's body; a ConfigError is the user's to fix, so print its message alone (no stack
 * trace burying it) and exit non-zero. Anything else is a bug and keeps its trace.
 */
export function reportConfigErrors(body: () => void): void {
  try {
    body();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Strongroom refused the configuration.\n${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
