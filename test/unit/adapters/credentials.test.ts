import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { assumedRoleCredentials, REFRESH_BEFORE_EXPIRY_MS } from '../../../lambda/adapters/credentials';

const stsClient = new STSClient({ region: 'eu-west-1' });
const sts = mockClient(stsClient);
const params = {
  roleArn: 'arn:aws:iam::111111111111:role/strongroom-ingest-222222222222',
  externalId: 'x'.repeat(16),
  sessionName: 'strongroom-copier/abc',
};

function issue(expiresAt: number, id = 'AK1') {
  return { Credentials: { AccessKeyId: id, SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(expiresAt) } };
}

beforeEach(() => sts.reset());

describe('assumedRoleCredentials', () => {
  it('assumes the role with the external id and a session name STS accepts', async () => {
    sts.on(AssumeRoleCommand).resolves(issue(3_600_000));
    const creds = await assumedRoleCredentials(stsClient, params, () => 0)();
    expect(creds).toMatchObject({ accessKeyId: 'AK1', sessionToken: 't' });
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: params.roleArn,
      ExternalId: params.externalId,
      RoleSessionName: 'strongroom-copier-abc',
      DurationSeconds: 3600,
    });
  });

  it('reuses the credentials until shortly before they expire, then assumes again', async () => {
    let now = 0;
    sts.on(AssumeRoleCommand).resolvesOnce(issue(3_600_000, 'AK1')).resolvesOnce(issue(7_200_000, 'AK2'));
    const provider = assumedRoleCredentials(stsClient, params, () => now);
    expect((await provider()).accessKeyId).toBe('AK1');
    now = 3_600_000 - REFRESH_BEFORE_EXPIRY_MS - 1;
    expect((await provider()).accessKeyId).toBe('AK1');
    now = 3_600_000 - REFRESH_BEFORE_EXPIRY_MS;
    expect((await provider()).accessKeyId).toBe('AK2');
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
  });

  it('lets concurrent callers share one AssumeRole', async () => {
    sts.on(AssumeRoleCommand).resolves(issue(3_600_000));
    const provider = assumedRoleCredentials(stsClient, params, () => 0);
    await Promise.all([provider(), provider(), provider()]);
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
  });

  it('says which role could not be assumed and what to check, and tries again next time', async () => {
    sts
      .on(AssumeRoleCommand)
      .rejectsOnce(Object.assign(new Error(''), { name: 'AccessDenied' }))
      .resolves(issue(3_600_000));
    const provider = assumedRoleCredentials(stsClient, params, () => 0);
    await expect(provider()).rejects.toThrow(
      `could not assume ${params.roleArn} (AccessDenied): check the role exists, trusts this function's role, and the external id matches`,
    );
    expect((await provider()).accessKeyId).toBe('AK1');
  });
});
