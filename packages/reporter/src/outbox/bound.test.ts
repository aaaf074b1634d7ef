import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Reporter } from '../reporter.js';
import { type InProcessServer, removeDir, serverTotals, startTestServer, tempDir } from '../testing/server.js';
import { generateTree, writeTree } from '../testing/transcripts.js';

describe('the outbox bound', () => {
  let dir: string;
  let server: InProcessServer;
  beforeAll(async () => {
    dir = tempDir('gg-bound-');
    server = await startTestServer(dir);
  });
  afterAll(async () => {
    await server?.close();
    removeDir(dir);
  });

  it('pauses file tailers at the bound with one warning, drops stream records, and loses nothing from files', async () => {
    const tree = generateTree({ seed: 3, agents: 2, sessionsPerAgent: 2, responsesPerSession: 40 });
    writeTree(join(dir, 'claude'), tree.files);
    const logs: string[] = [];
    const reporter = new Reporter({
      serverUrl: server.url,
      townId: server.townId,
      tokenFile: server.tokenFile,
      stateDir: join(dir, 'state'),
      claudeDirs: [join(dir, 'claude')],
      codex: false,
      gemini: false,
      opencode: false,
      maxPendingBytes: 16 * 1024, // ~60 records
      log: (l) => logs.push(l),
    });
    try {
      // Reading alone stops at the bound: the rest stays in the files.
      expect(await reporter.collect()).toBe(false);
      expect(reporter.store.pendingCount()).toBeLessThan(tree.expected.responses);
      expect(reporter.status().full).toBe(true);
      expect(logs.filter((l) => l.startsWith('WARNING: the outbox holds'))).toHaveLength(1);

      // A stream source cannot wait: its records are dropped and counted while the outbox is full.
      const msg = {
        id: 'oc_1',
        sessionID: 's',
        role: 'assistant',
        modelID: 'm',
        tokens: { input: 1, output: 1 },
        cost: 0,
        time: { created: Date.now() },
      };
      async function* one() {
        yield { type: 'message.updated', properties: { info: msg } };
      }
      await reporter.opencode(one(), { agents: new Map(), defaultAgentId: 'x' });
      expect(reporter.status().dropped).toBe(1);

      // --once delivers and reads on until every file is read.
      const result = await reporter.runOnce(Date.now() + 20_000);
      expect(result).toMatchObject({ delivered: true, pending: 0 });
    } finally {
      reporter.close();
    }
    const t = await serverTotals(server.url, server.adminToken, server.townId);
    expect([t.input_tokens, t.output_tokens]).toEqual([tree.expected.input, tree.expected.output]);
  });
});
