import { vaultBucketPolicy } from '../../lib/policy/vault-bucket';
import { type Actor, actors, model, simulate, vaultBucketArn, vaultObject } from './simulate';

/* The harness itself: why every actor carries the caller's context keys, and that it refuses vacuous rows. */

const bucketPolicy = vaultBucketPolicy(model);
const lockedObject = vaultObject('objects/222222222222/acme-prod-invoices/2026/invoice-0001.pdf');

const without = (actor: Actor, key: string): Actor => {
  const { [key]: _dropped, ...context } = actor.context;
  return { ...actor, context };
};

describe('policy-proof harness', () => {
  it.each(Object.values(actors).map((a) => [a.label, a] as const))(
    '%s carries the keys AWS derives from the caller',
    (_label, actor) => {
      expect(actor.context).toMatchObject({
        'aws:PrincipalArn': expect.stringMatching(/^arn:aws:iam::\d{12}:(role|user)\/|^arn:aws:iam::\d{12}:root$/),
        'aws:PrincipalAccount': actor.account,
        'aws:PrincipalType': expect.any(String),
        'aws:userid': expect.any(String),
        'aws:SecureTransport': 'true',
      });
    },
  );

  it('the IAM user carries aws:username; role sessions do not', () => {
    expect(actors.backupAdminUser.context['aws:username']).toBe('alice');
    expect(actors.breakGlass.context['aws:username']).toBeUndefined();
  });

  it('without aws:PrincipalArn the simulator denies break-glass falsely: the key must always be set', async () => {
    // ArnNotEquals on a missing key is true, so the "everyone but break-glass" deny fires.
    const request = { action: 's3:DeleteObjectVersion', resource: lockedObject, resourcePolicy: bucketPolicy };
    expect(await simulate({ ...request, actor: actors.breakGlass })).toMatchObject({ result: 'Allowed' });
    expect(await simulate({ ...request, actor: without(actors.breakGlass, 'aws:PrincipalArn') })).toEqual({
      result: 'ExplicitlyDenied',
      because: ['resource:DenyObjectDestructionExceptBreakGlass'],
      blockedBy: ['resource'],
    });
  });

  it('refuses a row whose own context key does not apply to its action (the row would prove nothing)', async () => {
    await expect(
      simulate({
        actor: actors.ingest,
        action: 's3:PutObject',
        resource: lockedObject,
        context: { 's3:prefix': 'objects/222222222222/' },
        resourcePolicy: bucketPolicy,
      }),
    ).rejects.toThrow(/s3:prefix do not apply to s3:PutObject/);
  });

  it('refuses a resource ARN with a wildcard (several results, none of them the row)', async () => {
    await expect(
      simulate({
        actor: actors.backupAdmin,
        action: 's3:GetObject',
        resource: `${vaultBucketArn}/*`,
        resourcePolicy: bucketPolicy,
      }),
    ).rejects.toThrow(/expected one evaluated request/);
  });
});
