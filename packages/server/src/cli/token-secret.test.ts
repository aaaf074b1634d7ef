import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../testing/cli.js';
import { killServers, serveProcess } from '../testing/serve-process.js';
import { tempDir } from '../testing/temp.js';

const SECRET = 's'.repeat(40);

/** The CLI in a child process with GASGAUGE_SECRET set to `secret`, or unset. */
async function cli(secret: string | undefined, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env };
  delete env.GASGAUGE_SECRET;
  if (secret !== undefined) env.GASGAUGE_SECRET = secret;
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { cwd: ROOT, env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A town on a server started with GASGAUGE_SECRET `serverSecret` (or none), and a way to try a token on it. */
async function setUp(serverSecret: string | undefined) {
  const dataDir = tempDir('gg-token-secret-');
  const env: Record<string, string> = serverSecret === undefined ? {} : { GASGAUGE_SECRET: serverSecret };
  if (serverSecret === undefined) delete process.env.GASGAUGE_SECRET;
  const served = await serveProcess(dataDir, env);
  const created = await cli(serverSecret, 'town', 'create', 'T', '--owner', 'admin', '--data', dataDir, '--json');
  const townId = (JSON.parse(created.stdout) as { town: { id: string } }).town.id;
  const accepted = async (token: string) =>
    (
      await fetch(`${served.url}/api/towns/${townId}/loc`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{"agents":[{"agentId":"a","additions":1,"deletions":0}]}',
      })
    ).status;
  const mint = (secret: string | undefined) => cli(secret, 'token', 'mint', '--town', townId, '--data', dataDir, '--json');
  return { dataDir, accepted, mint };
}

describe('gasgauge token mint beside a running server', () => {
  afterAll(() => killServers());

  it('refuses to mint a token the server would refuse: GASGAUGE_SECRET set for the server and not here, or to another value', async () => {
    const { dataDir, accepted, mint } = await setUp(SECRET);

    const unset = await mint(undefined);
    expect(unset.code).toBe(1);
    expect(JSON.parse(unset.stdout).error.message).toBe(
      `the server running on ${dataDir} signs ingest tokens with the GASGAUGE_SECRET of its environment, and none is set here: a token minted here would be refused (401 "invalid ingest token"); set the same GASGAUGE_SECRET here`,
    );
    // No secret.key made on the way: the server never reads one.
    expect(existsSync(join(dataDir, 'secret.key'))).toBe(false);

    const other = await mint('o'.repeat(40));
    expect(other.code).toBe(1);
    expect(JSON.parse(other.stdout).error.message).toMatch(/another GASGAUGE_SECRET than the one set here/);

    const same = await mint(SECRET);
    expect(same.code).toBe(0);
    expect(await accepted((JSON.parse(same.stdout) as { token: string }).token)).toBe(200);
  }, 60_000);

  it('refuses GASGAUGE_SECRET here when the server signs with secret.key; without it the token is accepted', async () => {
    const { dataDir, accepted, mint } = await setUp(undefined);

    const set = await mint(SECRET);
    expect(set.code).toBe(1);
    expect(set.stdout).toContain(
      `signs ingest tokens with ${join(dataDir, 'secret.key')}, not with the GASGAUGE_SECRET set here`,
    );

    const plain = await mint(undefined);
    expect(plain.code).toBe(0);
    expect(await accepted((JSON.parse(plain.stdout) as { token: string }).token)).toBe(200);
  }, 60_000);
});
