import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseConfig } from '../../lib/config/load';
import { exampleConfig, exampleInput, twoAccountConfig } from '../support/config';
import { synthVaultStack } from '../support/synth';

/** The acknowledgements recorded on a stack's constructs, as [id, reason] pairs. */
function acknowledgements(stack: ReturnType<typeof synthVaultStack>['stack']): Array<{ id: string; reason: string }> {
  return stack.node
    .findAll()
    .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
    .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ id, reason })));
}

describe.each([
  ['the example (SSE-S3)', exampleConfig()],
  ['two primary accounts', twoAccountConfig()],
  [
    'a customer KMS key',
    (() => {
      const input = exampleInput();
      input.vault.encryption = { type: 'SSE_KMS', denyKeyDeletion: true };
      return parseConfig(input);
    })(),
  ],
])('cdk-nag AwsSolutions on VaultStack with %s', (_name, config) => {
  const { stack } = synthVaultStack(config);
  const report = new AwsSolutionsChecks(stack).validateScope(stack);

  it('has no unacknowledged finding', () => {
    expect(
      report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`),
    ).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('acknowledges findings only one by one, each with a written reason', () => {
    const acks = acknowledgements(stack);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      // S3 objects under an account's prefix; with SSE_KMS, the auditor's key reads (narrowed by kms:ResourceAliases).
      expect(ack.id).toMatch(
        /^(Annotation::)?AwsSolutions-IAM5\[Resource::(arn:aws:s3:::strongroom-vault-[^\]]+|arn:aws:kms:eu-west-1:111111111111:key)\/\*\]$/,
      );
      expect(ack.reason.length).toBeGreaterThan(30);
    }
  });
});
