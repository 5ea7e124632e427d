import './powertools-env';
import { parseSealerEnv } from '../../../lambda/adapters/env';
import { EnvironmentError, InputValidationError } from '../../../lambda/core/errors';
import { seal } from '../../../lambda/handlers/sealer';
import { MemoryVault, version } from '../core/memory-vault';
import { ACCOUNT } from '../core/support';
import { COMMON_ENV, lambdaContext, observability, rejection } from './fixtures';

const env = parseSealerEnv({
  ...COMMON_ENV,
  AUDITOR_ROLE_ARN: 'arn:aws:iam::111111111111:role/strongroom-auditor-222222222222',
  INGEST_ROLE_ARN: 'arn:aws:iam::111111111111:role/strongroom-ingest-222222222222',
  SEAL_SETTLE_SECONDS: '300',
});
const scheduled = { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} };

function runtime(vault: MemoryVault, now: Date) {
  const o = observability('sealer');
  return {
    env: () => env,
    clients: () => ({ reader: vault.client, writer: vault.client }),
    logger: o.logger,
    metrics: o.metrics,
    now: () => now,
  };
}

describe('sealer handler', () => {
  it('seals what has settled, leaving segments younger than SEAL_SETTLE_SECONDS to the next run', async () => {
    const vault = new MemoryVault();
    await vault.append(ACCOUNT, [version('a', 'v1', 0)]);
    const settled = new Date(vault.clock.getTime() + 301_000);
    vault.tick(200_000);
    await vault.append(ACCOUNT, [version('b', 'v2', 1)]);
    const result = await seal(scheduled, lambdaContext('strongroom-sealer'), runtime(vault, settled));
    expect(result.sealed && result.record.segments).toHaveLength(1);
    expect(await seal(scheduled, lambdaContext('strongroom-sealer'), runtime(vault, settled))).toMatchObject({ sealed: false });
    const later = await seal(
      scheduled,
      lambdaContext('strongroom-sealer'),
      runtime(vault, new Date(settled.getTime() + 600_000)),
    );
    expect(later.sealed && later.record.previous).not.toBeNull();
  });

  it('takes no input but its schedule, and names what was wrong', async () => {
    const error = await rejection(() =>
      seal({ seal: 'everything' }, lambdaContext('strongroom-sealer'), runtime(new MemoryVault(), new Date())),
    );
    expect(error).toBeInstanceOf(InputValidationError);
    expect(error.message).toMatch(/^invalid sealer input: /);
  });

  it('refuses an environment whose roles are outside the vault account', () => {
    expect(() =>
      parseSealerEnv({
        ...COMMON_ENV,
        AUDITOR_ROLE_ARN: 'arn:aws:iam::999999999999:role/x',
        INGEST_ROLE_ARN: 'nope',
        SEAL_SETTLE_SECONDS: '0',
      }),
    ).toThrow(EnvironmentError);
  });
});
