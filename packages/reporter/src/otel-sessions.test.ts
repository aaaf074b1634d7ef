import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gasgauge } from './testing/processes.js';
import { type InProcessServer, removeDir, serverTotals, startTestServer, tempDir } from './testing/server.js';

/**
 * A Claude Code session that exports OpenTelemetry to the town while `gasgauge report` reads its transcript:
 * the reporter posts each record with its `session`, so the server counts the session from whichever path
 * reached it first (docs/api.md, "one session, two paths"). The real OpenTelemetry SDK, a real server, a real
 * `gasgauge report --once` process.
 */
let dir: string;
let server: InProcessServer;
beforeAll(async () => {
  dir = tempDir('gg-otel-sessions-');
  server = await startTestServer(dir);
}, 30_000);
afterAll(async () => {
  await server?.close();
  removeDir(dir);
});

/** Claude Code's api_request log event of one request, exported by the SDK with an OTLP ingest key. */
async function exportRequest(key: string, session: string, input: number): Promise<void> {
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'claude-code', 'gt.agent': 'polecat-1' }),
    processors: [
      new SimpleLogRecordProcessor({
        exporter: new OTLPLogExporter({ url: `${server.url}/v1/logs`, headers: { Authorization: `Bearer ${key}` } }),
      }),
    ],
  });
  provider.getLogger('com.anthropic.claude_code.events').emit({
    eventName: 'claude_code.api_request',
    body: 'claude_code.api_request',
    attributes: {
      'session.id': session,
      model: 'claude-sonnet-4-5',
      request_id: `req_${session}`,
      input_tokens: input,
      output_tokens: 0,
      cost_usd: 0,
    },
  });
  await provider.forceFlush();
  await provider.shutdown();
}

/** One assistant line of `session`, as Claude Code writes its transcript. */
function line(session: string, input: number): string {
  return JSON.stringify({
    type: 'assistant',
    sessionId: session,
    cwd: '/work/town/rig/polecats/polecat-1',
    version: '2.0.31',
    timestamp: new Date(Date.now() - 60_000).toISOString(),
    requestId: `req_${session}`,
    message: { id: `msg_${session}`, model: 'claude-sonnet-4-5-20250929', usage: { input_tokens: input, output_tokens: 0 } },
  });
}

describe('a session exported over OTLP and read from its transcript', () => {
  it('counts once: from OTLP when it came first, from the transcript when it did', async () => {
    const r = await fetch(`${server.url}/trpc/towns.createKey`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ townId: server.townId, name: 'claude-code' }),
    });
    const key = ((await r.json()) as { result: { data: { key: string } } }).result.data.key;

    // Session A reached the town over OTLP first; B only has a transcript; C's export comes after the reporter.
    await exportRequest(key, 'sess-a', 100);
    const projects = join(dir, 'claude', 'projects', 'p');
    mkdirSync(projects, { recursive: true });
    for (const [session, input] of [
      ['sess-a', 1000],
      ['sess-b', 7],
      ['sess-c', 50],
    ] as const)
      writeFileSync(join(projects, `${session}.jsonl`), `${line(session, input)}\n`);
    const report = await gasgauge<{ delivered: boolean; sent: number }>([
      'report',
      '--once',
      ...['--server', server.url, '--town', server.townId, '--token-file', server.tokenFile],
      ...['--state', join(dir, 'state'), '--claude-dir', join(dir, 'claude')],
      ...['--no-codex', '--no-gemini', '--no-opencode'],
    ]);
    expect(report).toMatchObject({ delivered: true, sent: 3 });
    await exportRequest(key, 'sess-c', 9);

    // A from OTLP (100, not the transcript's 1000), B and C from their transcripts (7 + 50, not C's 9).
    expect((await serverTotals(server.url, server.adminToken, server.townId)).input_tokens).toBe(157);
  });
});
