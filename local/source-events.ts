/**
 * S3 change events as EventBridge delivers them, for a local S3 that has no EventBridge: built from
 * the responses of the writes and deletes a test or the demo makes, with a sequencer that grows
 * with every change, as S3's does for the changes to one key.
 */
import type { QueuedRecord } from '../lambda/core/copier';

export interface SourceWrite {
  readonly key: string;
  /** The version id S3 returned; absent for unversioned buckets. */
  readonly versionId?: string;
  readonly etag?: string;
  readonly size?: number;
}

export interface SourceDeletion {
  readonly key: string;
  /** The delete marker's id, or the id of the version removed; absent for unversioned buckets. */
  readonly versionId?: string;
  /** True when the delete placed a delete marker. */
  readonly deleteMarker: boolean;
}

export class SourceEventLog {
  private sequence = 0;
  private messages = 0;

  public constructor(
    /** The primary account as the copier knows it (locally: the primary tenant). */
    private readonly account: string,
  ) {}

  public created(bucket: string, write: SourceWrite, time = new Date()): string {
    return this.event(bucket, 'Object Created', time, {
      key: write.key,
      ...(write.size !== undefined ? { size: write.size } : {}),
      ...(write.etag ? { etag: write.etag.replace(/"/g, '') } : {}),
      ...(write.versionId ? { 'version-id': write.versionId } : {}),
    });
  }

  public deleted(bucket: string, deletion: SourceDeletion, time = new Date()): string {
    return this.event(
      bucket,
      'Object Deleted',
      time,
      { key: deletion.key, ...(deletion.versionId ? { 'version-id': deletion.versionId } : {}) },
      deletion.deleteMarker ? 'Delete Marker Created' : 'Permanently Deleted',
    );
  }

  /** Wrap bodies as queued records with fresh message ids. */
  public records(bodies: readonly string[]): QueuedRecord[] {
    return bodies.map((body) => ({ messageId: `m-${++this.messages}`, body }));
  }

  private event(
    bucket: string,
    detailType: 'Object Created' | 'Object Deleted',
    time: Date,
    object: Record<string, unknown>,
    deletionType?: string,
  ): string {
    const sequencer = (++this.sequence).toString(16).toUpperCase().padStart(16, '0');
    return JSON.stringify({
      version: '0',
      'detail-type': detailType,
      source: 'aws.s3',
      account: this.account,
      time: `${time.toISOString().slice(0, 19)}Z`,
      region: 'us-east-1',
      detail: {
        version: '0',
        bucket: { name: bucket },
        object: { ...object, sequencer },
        reason: detailType === 'Object Created' ? 'PutObject' : 'DeleteObject',
        ...(deletionType ? { 'deletion-type': deletionType } : {}),
      },
    });
  }
}
