import { FeatureFlags, Stack } from 'aws-cdk-lib';
import { CDK_CONTEXT, testApp } from '../support/app';

/*
 * cdk.json carries every feature flag the installed aws-cdk-lib recommends (exactly the set `cdk init`
 * writes), so `cdk synth` reports no unconfigured flag, and an upgrade that brings new flags fails here
 * until each one is decided. A flag may differ from the recommendation only when it is listed below with
 * its reason: cdk.json cannot hold comments, so this is where the reason lives.
 */

const RECOMMENDED: Record<string, unknown> = require('aws-cdk-lib/recommended-feature-flags.json');
const PROJECT_KEYS = ['strongroom:config'];

const PROJECT_VALUES: Record<string, { value: unknown; reason: string }> = {
  '@aws-cdk/aws-iam:minimizePolicies': {
    value: false,
    reason:
      'minimizing sorts every action and resource list of the vault bucket policy, the key policy and the vault roles, ' +
      'so the deployed documents would no longer be exactly the lib/policy documents that the policy tests evaluate ' +
      'and local/provision.ts applies (VaultStack: "is exactly the shared policy module document")',
  },
};

describe('cdk.json feature flags', () => {
  it('sets exactly the recommended flags of the installed aws-cdk-lib, besides the project keys', () => {
    expect(Object.keys(CDK_CONTEXT).sort()).toEqual([...PROJECT_KEYS, ...Object.keys(RECOMMENDED)].sort());
  });

  it.each(Object.keys(RECOMMENDED).sort())('%s has the recommended value, or the project value with its reason', (flag) => {
    const expected = flag in PROJECT_VALUES ? PROJECT_VALUES[flag].value : RECOMMENDED[flag];
    expect({ flag, value: CDK_CONTEXT[flag] }).toEqual({ flag, value: expected });
  });

  it.each(Object.entries(PROJECT_VALUES))('%s departs from the recommendation (else drop it)', (flag, entry) => {
    expect(RECOMMENDED).toHaveProperty([flag]);
    expect(entry.value).not.toEqual(RECOMMENDED[flag]);
    expect(entry.reason.length).toBeGreaterThan(0);
  });

  it('reaches the stacks under test as it reaches cdk synth', () => {
    const stack = new Stack(testApp(), 'Probe');
    for (const [key, value] of Object.entries(CDK_CONTEXT)) {
      expect({ key, value: stack.node.tryGetContext(key) }).toEqual({ key, value });
    }
    expect(FeatureFlags.of(stack).isEnabled('@aws-cdk/core:enablePartitionLiterals')).toBe(true);
    expect(FeatureFlags.of(stack).isEnabled('@aws-cdk/aws-iam:minimizePolicies')).toBe(false);
  });
});
