import { lstat, mkdtemp, readdir, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  DEPLOYMENT_FILE_FORMAT,
  DEPLOYMENT_FILE_VERSION,
  deploymentFileContent,
  deploymentFilePath,
  LocalDeploymentFileError,
  LocalDeploymentFileMissingError,
  latestDeploymentFile,
  loadLocalDeployment,
  redactedJson,
  saveLocalDeployment,
} from '../../../local/deployment-file';
import { ProvisionError } from '../../../local/provision';
import { comparable } from '../../support/local-deployment';
import { fakeDeployment } from './support/local-deployment';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'strongroom-deployment-file-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Saves the fake deployment, edits its JSON with `edit`, and returns the error loading it. */
async function loadEdited(edit: (content: Record<string, any>) => void): Promise<LocalDeploymentFileError> {
  const file = await saveLocalDeployment(dir, await fakeDeployment());
  const content = JSON.parse(await readFile(file, 'utf8'));
  edit(content);
  await writeFile(file, JSON.stringify(content));
  const error = await loadLocalDeployment(file).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof LocalDeploymentFileError)) throw new Error(`expected a LocalDeploymentFileError, got ${String(error)}`);
  return error;
}

describe('saveLocalDeployment', () => {
  it('writes <dir>/deployments/<name>.json, readable by its owner only, and points latest.json at it', async () => {
    const d = await fakeDeployment();
    const file = await saveLocalDeployment(dir, d);
    expect(file).toBe(path.join(dir, 'deployments', 'unit-abc.json'));
    expect(file).toBe(deploymentFilePath(dir, d.name));
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(dir, 'deployments'))).mode & 0o777).toBe(0o700);
    const latest = latestDeploymentFile(dir);
    expect((await lstat(latest)).isSymbolicLink()).toBe(true);
    expect(await readlink(latest)).toBe('unit-abc.json');
    const content = JSON.parse(await readFile(file, 'utf8'));
    expect(Object.keys(content).slice(0, 3)).toEqual(['format', 'formatVersion', 'name']);
    expect(content).toMatchObject({ format: DEPLOYMENT_FILE_FORMAT, formatVersion: DEPLOYMENT_FILE_VERSION, name: 'unit-abc' });
    expect(content).not.toHaveProperty('model');
    expect(content).not.toHaveProperty('primary');
    expect(content).not.toHaveProperty('deploymentFile');
    expect(await readdirNames(path.join(dir, 'deployments'))).toEqual(['latest.json', 'unit-abc.json']);
  });

  it('moves latest.json to the deployment saved last, leaving the earlier ones', async () => {
    const first = await saveLocalDeployment(dir, await fakeDeployment('unit-first'));
    const second = await saveLocalDeployment(dir, await fakeDeployment('unit-second'));
    expect(await readlink(latestDeploymentFile(dir))).toBe('unit-second.json');
    expect((await loadLocalDeployment(latestDeploymentFile(dir))).deploymentFile).toBe(second);
    expect((await loadLocalDeployment(first)).name).toBe('unit-first');
  });

  it('re-saving a deployment replaces its file', async () => {
    const d = await fakeDeployment();
    await saveLocalDeployment(dir, d);
    const file = await saveLocalDeployment(dir, { ...d, timings: { users: 1 } });
    expect((await loadLocalDeployment(file)).timings).toEqual({ users: 1 });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('refuses a name that is not a deployment name (it becomes a file name)', async () => {
    const d = await fakeDeployment();
    await expect(saveLocalDeployment(dir, { ...d, name: '../escape' })).rejects.toThrow(ProvisionError);
  });
});

describe('loadLocalDeployment', () => {
  it('gives back the deployment that was saved, its model rebuilt, primary the first primary account', async () => {
    const d = await fakeDeployment();
    const file = await saveLocalDeployment(dir, d);
    const loaded = await loadLocalDeployment(file);
    expect(comparable(loaded)).toEqual(comparable(d));
    expect(loaded.primary).toEqual(loaded.primaries[0]);
    expect(loaded.model.roleNames.ingest('primary')).toBe(d.model.roleNames.ingest('primary'));
    expect(loaded.deploymentFile).toBe(file);
  });

  it('through latest.json names the deployment file itself', async () => {
    const file = await saveLocalDeployment(dir, await fakeDeployment());
    expect((await loadLocalDeployment(latestDeploymentFile(dir))).deploymentFile).toBe(file);
  });

  it('says where it looked when there is no file', async () => {
    const missing = latestDeploymentFile(dir);
    const error = await loadLocalDeployment(missing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LocalDeploymentFileMissingError);
    expect((error as Error).message).toBe(
      `no local deployment file at ${missing}: provision a deployment on this local S3 first (npm run demo -- --keep, or provisionLocalVault)`,
    );
  });

  it('refuses a file that is not JSON', async () => {
    const file = path.join(dir, 'broken.json');
    await writeFile(file, '{"secretAccessKey": secret-of-someone}');
    const error = await loadLocalDeployment(file).catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      `${file} is not a usable local deployment file (1 problem):\n  - (file): received invalid JSON (SyntaxError: Unexpected token 's'), expected a JSON object`,
    );
    await writeFile(file, '{"format": ');
    await expect(loadLocalDeployment(file)).rejects.toThrow('received invalid JSON (SyntaxError: Unexpected end of JSON input)');
  });

  it('refuses a file of another format version before looking at anything else', async () => {
    const older = await loadEdited((c) => {
      c.formatVersion = 0;
      delete c.vault;
    });
    expect(older.problems).toEqual([
      {
        field: 'formatVersion',
        received: '0',
        expected: '1: this file was written by an older local provisioner; provision a new deployment with this checkout',
      },
    ]);
    expect(older.message).toBe(
      `${older.file} is not a usable local deployment file (1 problem):\n` +
        '  - formatVersion: received 0, expected 1: this file was written by an older local provisioner; provision a new deployment with this checkout',
    );
    const newer = await loadEdited((c) => {
      c.formatVersion = 2;
    });
    expect(newer.problems[0]?.expected).toContain('written by a newer local provisioner');
  });

  it('refuses a file that is not a deployment file at all', async () => {
    const error = await loadEdited((c) => {
      for (const key of Object.keys(c)) delete c[key];
      c.name = 'strongroom';
      c.region = 'us-east-1';
    });
    expect(error.problems.map((p) => `${p.field}: received ${p.received}, expected ${p.expected}`)).toEqual([
      'format: received (missing), expected "strongroom-local-deployment" (a file written by saveLocalDeployment)',
      'formatVersion: received (missing), expected 1: this file was written by an older local provisioner; provision a new deployment with this checkout',
    ]);
  });

  it('names each wrong field, the value found and the one expected', async () => {
    const error = await loadEdited((c) => {
      c.vault.retentionDays = '1';
      delete c.primaries[0].functions.copier.secretAccessKey;
      c.primaries[0].vaultRoles.ingest.arn = '';
      c.endpoint = 'not a url';
      c.backup.breakGlass.password = 'x';
      delete c.primaries[0].functions.verify;
    });
    expect(error.problems).toEqual(
      expect.arrayContaining([
        { field: 'vault.retentionDays', received: '"1"', expected: 'a value of type number' },
        { field: 'primaries[0].functions.copier.secretAccessKey', received: '(missing)', expected: 'a value of type string' },
        { field: 'primaries[0].functions.verify', received: '(missing)', expected: 'a value of type object' },
        { field: 'primaries[0].vaultRoles.ingest.arn', received: '""', expected: 'a non-empty string' },
        { field: 'endpoint', received: '"not a url"', expected: 'the local S3 endpoint URL' },
        { field: 'backup.breakGlass.password', received: '"x"', expected: 'no such field in format version 1' },
      ]),
    );
    expect(error.problems).toHaveLength(6);
    expect(error.message).toContain('  - vault.retentionDays: received "1", expected a value of type number\n');
  });

  it('checks the config with the config schema', async () => {
    const error = await loadEdited((c) => {
      c.config.vault.objectLock.retentionDays = -1;
    });
    expect(error.problems).toEqual([
      { field: 'config.vault.objectLock.retentionDays', received: '-1', expected: expect.any(String) },
    ]);
  });

  it('refuses a config that is not the deployment named', async () => {
    const error = await loadEdited((c) => {
      c.config.name = 'other-abc';
    });
    expect(error.problems).toEqual([
      { field: 'config.name', received: '"other-abc"', expected: '"unit-abc" (the deployment name)' },
    ]);
  });

  it('never shows a secret key in its errors', async () => {
    const error = await loadEdited((c) => {
      c.primaries[0].functions = [c.primaries[0].functions.copier];
      c.backup.admin = [c.backup.admin];
      c.backup.breakGlass.extra = { secretAccessKey: c.backup.breakGlass.secretAccessKey };
    });
    expect(error.problems.map((p) => p.field)).toEqual(['backup.admin', 'backup.breakGlass.extra', 'primaries[0].functions']);
    expect(error.message).toContain('(redacted)');
    expect(error.message).not.toContain('secret-of-');
    expect(error.cause).toBeUndefined();
  });
});

describe('redactedJson', () => {
  it('replaces every secret key and session token, keeps everything else', async () => {
    const d = await fakeDeployment();
    const json = redactedJson(deploymentFileContent(d), 2);
    expect(json).not.toContain('secret-of-');
    const back = JSON.parse(json);
    expect(back.primaries[0].functions.copier).toMatchObject({
      accessKeyId: 'AK-unit-abc-copier',
      secretAccessKey: '(redacted)',
    });
    expect(back.backup.admin.secretAccessKey).toBe('(redacted)');
    expect(back.vault).toEqual(d.vault);
    expect(JSON.parse(redactedJson({ sessionToken: 't', nested: [{ sessionToken: 'u', other: 'v' }] }))).toEqual({
      sessionToken: '(redacted)',
      nested: [{ sessionToken: '(redacted)', other: 'v' }],
    });
  });
});

async function readdirNames(at: string): Promise<string[]> {
  return (await readdir(at)).sort();
}
