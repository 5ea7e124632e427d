import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../lib/config/errors';
import { parseConfig } from '../../lib/config/load';
import type { StrongroomConfig, StrongroomConfigInput } from '../../lib/config/schema';

export const EXAMPLE_CONFIG_FILE = join(__dirname, '..', '..', 'config', 'strongroom.example.json');

/** A fresh, deep copy of the committed example config as written (before defaults). */
export function exampleInput(): StrongroomConfigInput {
  return JSON.parse(readFileSync(EXAMPLE_CONFIG_FILE, 'utf8'));
}

/** The example config, parsed and linted. */
export function exampleConfig(): StrongroomConfig {
  return parseConfig(exampleInput(), 'example');
}

/** The example config with one value set at a dotted path (`a.b[0].c`); `undefined` deletes it. */
export function exampleWith(path: string, value: unknown): unknown {
  const input = exampleInput() as unknown as Record<string, unknown>;
  const parts = path.split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== '');
  let node: Record<string, unknown> = input;
  for (const part of parts.slice(0, -1)) node = node[part] as Record<string, unknown>;
  const last = parts[parts.length - 1];
  if (value === undefined) delete node[last];
  else node[last] = value;
  return input;
}

/** A config with two primary accounts, to catch cross-wiring between accounts. */
export function twoAccountConfig(): StrongroomConfig {
  const input = exampleInput();
  input.primaryAccounts.push({
    accountId: '333333333333',
    name: 'analytics',
    sources: [{ bucket: 'acme-analytics-lake', prefixes: ['curated/'] }],
    restoreTargets: ['acme-analytics-restore'],
  });
  return parseConfig(input, 'two-accounts');
}

/** Parse a config that must be refused, and return the ConfigError (failing the test if it is accepted). */
export function refusal(raw: unknown): ConfigError {
  try {
    parseConfig(raw, 'test-config');
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected the config to be refused, but it was accepted');
}
