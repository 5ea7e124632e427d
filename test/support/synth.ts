import { Template } from 'aws-cdk-lib/assertions';
import type { StrongroomConfig } from '../../lib/config/schema';
import { VaultStack } from '../../lib/stacks/vault-stack';
import { testApp } from './app';

/** VaultStack as bin/strongroom.ts builds it (cdk.json's context, an explicit env). */
export function synthVaultStack(config: StrongroomConfig): { stack: VaultStack; template: Template } {
  const app = testApp();
  const stack = new VaultStack(app, 'StrongroomVault', {
    env: { account: config.backupAccount.accountId, region: config.region },
    config,
  });
  return { stack, template: Template.fromStack(stack) };
}

/** The single resource of a type whose properties match, with its logical id. */
export function onlyResource(template: Template, type: string, props: Record<string, unknown> = {}) {
  const found = template.findResources(type, props ? { Properties: props } : undefined);
  const ids = Object.keys(found);
  if (ids.length !== 1) throw new Error(`expected one ${type} matching ${JSON.stringify(props)}, found ${ids.length}`);
  return {
    logicalId: ids[0],
    resource: found[ids[0]] as {
      Properties: Record<string, any>;
      DependsOn?: string[];
      DeletionPolicy?: string;
      UpdateReplacePolicy?: string;
    },
  };
}

/** IAM documents compare equal whatever the order of keys, and a one-element list equals its element. */
export function normalizePolicy(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(normalizePolicy);
    return items.length === 1 ? items[0] : items;
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, normalizePolicy(v)]),
    );
  }
  return value;
}
