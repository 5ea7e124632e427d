import type { LocalDeployment } from '../../local/provision';

/** A deployment with its model's role-name functions evaluated, so that two can be compared with toEqual. */
export function comparable(d: Omit<LocalDeployment, 'deploymentFile'> & { deploymentFile?: string }) {
  const { ingest, restoreReader, auditor, evidenceWriter, ...fixed } = d.model.roleNames;
  const { deploymentFile: _file, ...rest } = d;
  return {
    ...rest,
    model: {
      ...d.model,
      roleNames: {
        ...fixed,
        ingest: ingest('primary'),
        restoreReader: restoreReader('primary'),
        auditor: auditor('primary'),
        evidenceWriter: evidenceWriter('primary'),
      },
    },
  };
}
