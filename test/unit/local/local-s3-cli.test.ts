import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { latestDeploymentFile, saveLocalDeployment } from '../../../local/deployment-file';
import { type CliOutput, deploymentCommand, main, USAGE } from '../../../local/local-s3-cli';
import { fakeDeployment } from './support/local-deployment';

function capture(): CliOutput & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (text) => stdout.push(text), err: (text) => stderr.push(text) };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'strongroom-cli-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('deployment', () => {
  it('prints the path of the latest deployment file, and nothing else', async () => {
    await saveLocalDeployment(dir, await fakeDeployment('unit-old'));
    const file = await saveLocalDeployment(dir, await fakeDeployment('unit-new'));
    const output = capture();
    expect(await deploymentCommand(dir, [], output)).toBe(0);
    expect(output.stdout).toEqual([file]);
    expect(output.stderr).toEqual([]);
  });

  it('--json prints the content with every secret key redacted', async () => {
    const d = await fakeDeployment();
    await saveLocalDeployment(dir, d);
    const output = capture();
    expect(await deploymentCommand(dir, ['--json'], output)).toBe(0);
    const printed = output.stdout.join('\n');
    expect(printed).not.toContain('secret-of-');
    const content = JSON.parse(printed);
    expect(content).toMatchObject({ format: 'strongroom-local-deployment', formatVersion: 1, name: d.name, vault: d.vault });
    expect(content.primaries[0].functions.copier).toMatchObject({
      arn: d.primary.functions.copier.arn,
      accessKeyId: d.primary.functions.copier.accessKeyId,
      secretAccessKey: '(redacted)',
    });
  });

  it('exits 4 naming the path when nothing was provisioned, 1 when the file is not usable', async () => {
    const none = capture();
    expect(await deploymentCommand(dir, [], none)).toBe(4);
    expect(none.stdout).toEqual([]);
    expect(none.stderr.join('\n')).toContain(`no local deployment file at ${latestDeploymentFile(dir)}`);

    const file = await saveLocalDeployment(dir, await fakeDeployment());
    await writeFile(file, JSON.stringify({ format: 'strongroom-local-deployment', formatVersion: 0 }));
    const old = capture();
    expect(await deploymentCommand(dir, [], old)).toBe(1);
    expect(old.stdout).toEqual([]);
    expect(old.stderr.join('\n')).toContain(
      `${file} is not a usable local deployment file (1 problem):\n  - formatVersion: received 0`,
    );
  });

  it('refuses an unknown argument', async () => {
    const output = capture();
    expect(await deploymentCommand(dir, ['--show-secrets'], output)).toBe(2);
    expect(output.stderr.join('\n')).toContain("unknown argument '--show-secrets' for deployment");
  });
});

describe('usage', () => {
  it('--help prints it and exits 0; no command prints it to stderr and exits 2', async () => {
    const help = capture();
    expect(await main(['--help'], {}, help)).toBe(0);
    expect(help.stdout).toEqual([USAGE]);
    expect(USAGE).toMatch(/start\|stop\|env\|deployment \[--json\]/);
    const none = capture();
    expect(await main([], {}, none)).toBe(2);
    expect(none.stderr).toEqual([USAGE]);
  });
});
