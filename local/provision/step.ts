/**
 * How a provisioning step runs: a failure becomes a ProvisionError naming the step and the resource, and a
 * step done once per role kind runs for every kind at once and hands back its values keyed by kind.
 */
import type { PrimaryRoleKind } from '../../lib/policy/primary-roles';
import type { VaultRoleKind } from '../../lib/policy/vault-roles';
import { describeError } from '../outcome';

export class ProvisionError extends Error {
  override name = 'ProvisionError';
  constructor(
    readonly step: string,
    readonly resource: string,
    cause: unknown,
  ) {
    super(`provisioning failed at step '${step}' for ${resource}: ${describeError(cause)}`, { cause });
  }
}

/** Runs one provisioning step, turning any failure into a ProvisionError naming the step and the resource. */
export async function step<T>(name: string, resource: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (cause: unknown) {
    throw new ProvisionError(name, resource, cause);
  }
}

/*
 * Each kind's promise is started, then all are awaited together (so every rejection is handled and the first
 * one wins, as with Promise.all), then each value is taken by its name: no value is matched to its kind by
 * position, and a kind added to PrimaryRoleKind or VaultRoleKind fails to compile here until it is listed.
 */

/** Runs `make` for every function role (copier, reconciler, restore, verify, sealer) at once. */
export async function forEachFunctionRole<T>(make: (kind: PrimaryRoleKind) => Promise<T>): Promise<Record<PrimaryRoleKind, T>> {
  const copier = make('copier');
  const reconciler = make('reconciler');
  const restore = make('restore');
  const verify = make('verify');
  const sealer = make('sealer');
  await Promise.all([copier, reconciler, restore, verify, sealer]);
  return {
    copier: await copier,
    reconciler: await reconciler,
    restore: await restore,
    verify: await verify,
    sealer: await sealer,
  };
}

/** Runs `make` for every vault role (ingest, restore reader, auditor, evidence writer) at once. */
export async function forEachVaultRole<T>(make: (kind: VaultRoleKind) => Promise<T>): Promise<Record<VaultRoleKind, T>> {
  const ingest = make('ingest');
  const restoreReader = make('restoreReader');
  const auditor = make('auditor');
  const evidenceWriter = make('evidenceWriter');
  await Promise.all([ingest, restoreReader, auditor, evidenceWriter]);
  return {
    ingest: await ingest,
    restoreReader: await restoreReader,
    auditor: await auditor,
    evidenceWriter: await evidenceWriter,
  };
}
