import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { buildAwsServiceClients } from '../../../lambda/adapters/aws-service-clients';

const sts = mockClient(STSClient);
afterAll(() => sts.restore());

const env = {
  strongroomName: 'strongroom',
  sourceAccountId: '222222222222',
  externalId: 'strongroom-example-7f3c9a1e5b2d',
  auditorRoleArn: 'arn:aws:iam::111111111111:role/strongroom-auditor-222222222222',
};

describe('buildAwsServiceClients (mock-tested: no local AWS Backup/KMS/tagging server)', () => {
  it('signs AWS Backup and KMS as the auditor (one AssumeRole, with the external id), the tagging API as the function itself', async () => {
    sts.reset();
    sts.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: 'ASIAAUDITOR',
        SecretAccessKey: 'not-a-secret',
        SessionToken: 'token',
        Expiration: new Date(Date.now() + 3_600_000),
      },
    });
    const clients = buildAwsServiceClients(env, { region: 'eu-west-1', sts: new STSClient({ region: 'eu-west-1' }) });
    const backup = await clients.auditorBackup.config.credentials();
    const kms = await clients.auditorKms.config.credentials();
    expect([backup.accessKeyId, kms.accessKeyId]).toEqual(['ASIAAUDITOR', 'ASIAAUDITOR']);
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual([
      {
        RoleArn: env.auditorRoleArn,
        ExternalId: env.externalId,
        RoleSessionName: 'strongroom-verify-222222222222',
        DurationSeconds: 3600,
      },
    ]);
    // The tagging client keeps the SDK's default chain (the function's own role): no AssumeRole for it.
    expect(await clients.verifyTagging.config.region()).toBe('eu-west-1');
    expect(clients.verifyTagging.config.credentials).not.toBe(clients.auditorKms.config.credentials);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
  });
});
