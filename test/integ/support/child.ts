/**
 * Child processes for integ tests that measure memory or kill mid-way: large deterministic test data as
 * streams, uploads of it, and children bundled with esbuild as the Lambda functions are (so the memory
 * measured is the code's, not a TypeScript loader's).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { build } from 'esbuild';

export const MIB = 1024 * 1024;

/**
 * Deterministic bytes that do not compress, generated as a stream (the test never holds the object):
 * one random-looking MiB from the seed, each copy stamped with its index.
 */
export function pattern(size: number, seed: string): { stream: () => Readable; sha256: Promise<string> } {
  const block = Buffer.alloc(MIB);
  for (let i = 0; i < MIB; i += 64) createHash('sha512').update(`${seed}:${i}`).digest().copy(block, i);
  const make = () =>
    Readable.from(
      (function* () {
        for (let offset = 0, i = 0; offset < size; offset += MIB, i++) {
          const chunk = Buffer.from(block.subarray(0, Math.min(MIB, size - offset)));
          chunk.writeUInt32BE(i, 0);
          yield chunk;
        }
      })(),
    );
  const sha256 = (async () => {
    const hash = createHash('sha256');
    for await (const part of make()) hash.update(part as Buffer);
    return hash.digest('hex');
  })();
  return { stream: make, sha256 };
}

export async function upload(s3: S3Client, bucket: string, key: string, body: Readable) {
  const done = await new Upload({
    client: s3,
    params: { Bucket: bucket, Key: key, Body: body },
    partSize: 16 * MIB,
    queueSize: 2,
  }).done();
  return { versionId: done.VersionId as string };
}

/**
 * The child is bundled with esbuild first, as the Lambda function is: the measured memory is the
 * copier's, not that of a TypeScript loader compiling sources in the same process.
 */
const bundled = new Map<string, string>();
async function childScript(entry: string): Promise<string> {
  const known = bundled.get(entry);
  if (known) return known;
  const outfile = path.join(mkdtempSync(path.join(tmpdir(), 'strongroom-child-')), `${path.basename(entry, '.ts')}.js`);
  await build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', target: 'node20', logLevel: 'error' });
  bundled.set(entry, outfile);
  return outfile;
}

export async function runChild(
  entry: string,
  input: unknown,
): Promise<{ child: ChildProcess; result: Promise<{ stdout: string; stderr: string; code: number | null }> }> {
  const child = spawn(process.execPath, [await childScript(entry), JSON.stringify(input)], {
    cwd: path.join(__dirname, '..', '..'),
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const result = new Promise<{ stdout: string; stderr: string; code: number | null }>((resolve) =>
    child.on('exit', (code) => resolve({ stdout, stderr, code })),
  );
  return { child, result };
}
