import { uniqueEntries } from '../journal';
import { merkleRoot } from '../journal-seal';
import { type CheckGroup, pass } from './check';
import type { VerifyRun } from './evidence';

/*
 * The journal, recomputed from scratch as the auditor: every segment hashed, the seal chain walked seal by
 * seal (sequence, link, Merkle root, and each sealed segment's server write time and hash as listed now),
 * segments the server wrote inside an interval already sealed, and entries whose vault object is gone or
 * never was (a forged entry). Unlike the restore reader, which stops at the first break, this collects
 * every finding.
 */

export const journalChecks: CheckGroup<VerifyRun> = {
  name: 'journal',
  ids: ['journal.segments', 'journal.seals', 'journal.late-segments', 'journal.vault-objects'],
  ranAs: 'auditor',
  async run(run) {
    const journal = await run.evidence.journal();
    const { versions } = await run.evidence.vaultVersions();

    // Seals: the chain, then what each seal says about its segments against what the vault holds now.
    const listedAt = new Map(journal.segments.map((s) => [s.key, s.writtenAt.toISOString()]));
    const sealFindings: string[] = journal.unreadableSeals.map((u) => `${u.key}: unreadable (${u.detail})`);
    const sealedKeys = new Set<string>();
    const intervals: Array<{ start: string | null; end: string }> = [];
    journal.seals.forEach((seal, i) => {
      const previous = i > 0 ? journal.seals[i - 1] : undefined;
      const record = seal.record;
      if (record.sequence !== i)
        sealFindings.push(`${seal.key}: sequence ${record.sequence} where ${i} was expected (a seal is missing)`);
      const linked = previous ? { key: previous.key, sha256: previous.sha256 } : null;
      if (JSON.stringify(record.previous) !== JSON.stringify(linked))
        sealFindings.push(
          `${seal.key}: links to ${record.previous?.key ?? 'nothing'}, but the seal before it is ${linked?.key ?? 'none'}`,
        );
      if (merkleRoot(record.segments) !== record.merkleRoot)
        sealFindings.push(`${seal.key}: its segments do not hash to its Merkle root`);
      for (const s of record.segments) {
        sealedKeys.add(s.key);
        const now = listedAt.get(s.key);
        if (now === undefined) sealFindings.push(`${seal.key}: seals ${s.key}, which the vault no longer lists`);
        else if (now !== s.writtenAt)
          sealFindings.push(`${seal.key}: seals ${s.key} written at ${s.writtenAt}, the vault lists it at ${now}`);
        const hash = journal.segmentHashes.get(s.key);
        if (hash !== undefined && hash !== s.sha256)
          sealFindings.push(`${seal.key}: ${s.key} hashes to ${hash}, sealed as ${s.sha256}`);
      }
      intervals.push({ start: record.intervalStart, end: record.intervalEnd });
    });

    // Late: unsealed, yet written (server time) inside a sealed interval.
    const late = journal.segments.filter((s) => {
      if (sealedKeys.has(s.key)) return false;
      const at = s.writtenAt.toISOString();
      return intervals.some((iv) => (iv.start === null || at > iv.start) && at <= iv.end);
    });

    // Entries without their vault object.
    const present = new Map<string, Set<string>>();
    for (const v of versions) {
      const ids = present.get(v.key) ?? new Set<string>();
      ids.add(v.versionId);
      present.set(v.key, ids);
    }
    const entries = uniqueEntries(journal.entries);
    const orphans = entries.filter((e) => {
      const ids = present.get(e.vaultKey);
      return !ids || (e.vaultVersionId !== null && !ids.has(e.vaultVersionId));
    });
    const sealedSegments = sealedKeys.size;

    return {
      'journal.segments':
        journal.badSegments.length === 0
          ? pass(`all ${journal.segments.length} segments hash to their recorded SHA-256`, 'nothing to do', {
              segments: journal.segments.length,
            })
          : {
              status: 'FAIL',
              summary: `${journal.badSegments.length} of ${journal.segments.length} segments are damaged or tampered with`,
              evidence: { segments: journal.segments.length, damaged: journal.badSegments.length },
              findings: journal.badSegments.map((b) => `${b.key}: ${b.detail}`),
              remediation:
                'restores set these segments aside only if told to: restore with distrust-writes-after before the earliest damaged segment, and investigate the ingest role in CloudTrail',
            },
      'journal.seals':
        sealFindings.length === 0
          ? pass(
              journal.seals.length === 0
                ? 'no seal yet: every segment is read as the unsealed tail'
                : `${journal.seals.length} seals chain unbroken over ${sealedSegments} segments; every Merkle root recomputes`,
              journal.seals.length === 0
                ? 'the sealer runs on its schedule; check its alarm if seals never appear'
                : 'nothing to do',
              { seals: journal.seals.length, sealedSegments },
            )
          : {
              status: 'FAIL',
              summary: `the seal chain is broken: ${sealFindings.length} findings`,
              evidence: { seals: journal.seals.length, sealedSegments, findings: sealFindings.length },
              findings: sealFindings,
              remediation:
                'a seal was forged or removed: restores stop at the break; restore with distrust-writes-after before the first broken seal and investigate the ingest role',
            },
      'journal.late-segments':
        late.length === 0
          ? pass('no segment was written inside an interval already sealed', 'nothing to do', {
              unsealed: journal.segments.length - sealedSegments,
            })
          : {
              status: 'FAIL',
              summary: `${late.length} segments were written inside an interval already sealed`,
              evidence: { late: late.length },
              findings: late.map((s) => `${s.key} written ${s.writtenAt.toISOString()}`),
              remediation:
                "a late segment is an append no seal vouches for: compare its entries with the source, and distrust writes after the seal if they are not the pipeline's",
            },
      'journal.vault-objects':
        orphans.length === 0
          ? pass(`all ${entries.length} journal entries have their vault object`, 'nothing to do', { entries: entries.length })
          : {
              status: 'FAIL',
              summary: `${orphans.length} of ${entries.length} journal entries have no vault object (forged, or their copy never landed)`,
              evidence: { entries: entries.length, withoutObject: orphans.length },
              findings: orphans.map((e) => `${e.bucket}/${e.key} (${e.kind}) -> ${e.vaultKey} in ${e.segment}`),
              remediation:
                'restores refuse these entries; if the source still holds the version, the reconciler copies it again; otherwise investigate the segment named',
            },
    };
  },
};
