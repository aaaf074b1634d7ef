import { createServer } from 'node:net';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { afterAll, describe, expect, it } from 'vitest';
import { killServers, serveProcess } from './testing/serve-process.js';
import { request } from './testing/server.js';
import { tempDir } from './testing/temp.js';

afterAll(killServers);

/** A port free now, so the restarted server listens where the exporter already sends. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('OTLP cumulative series across a server SIGKILL', () => {
  it('continue without a spike or a loss', async () => {
    const dataDir = tempDir('gg-otlp-restart-');
    const port = String(await freePort());
    const first = await serveProcess(dataDir, {}, ['--port', port]);
    const admin = first.adminToken as string;
    const town = await request(first.url, 'POST', '/trpc/towns.create', admin, { name: 'otel' });
    const townId = town.body.result.data.id as string;
    const created = await request(first.url, 'POST', '/trpc/towns.createKey', admin, { townId, name: 'k' });
    const key = created.body.result.data.key as string;

    const exporter = new OTLPMetricExporter({
      url: `${first.url}/otlp/${key}/v1/metrics`,
      temporalityPreference: AggregationTemporality.CUMULATIVE,
    });
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    const provider = new MeterProvider({ resource: resourceFromAttributes({ 'gt.agent': 'mayor' }), readers: [reader] });
    const tokens = provider.getMeter('claude_code').createCounter('claude_code.token.usage');
    const input = { type: 'input', model: 'claude-opus-4-1' };

    tokens.add(100, input);
    await reader.forceFlush();
    first.child.kill('SIGKILL');
    await first.exited;

    const second = await serveProcess(dataDir, {}, ['--port', port]);
    try {
      expect(second.url).toBe(first.url);
      await reader.forceFlush(); // the same total again: nothing new
      tokens.add(20, input);
      await reader.forceFlush();
      await provider.shutdown();
      const now = Date.now();
      const r = await request(
        second.url,
        'GET',
        `/api/towns/${townId}/metrics/timeseries?from=${now - 600_000}&to=${now + 60_000}&maxPoints=5000`,
        admin,
      );
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      const sum = (r.body.series.input_tokens as (number | null)[]).reduce<number>((a, v) => a + (v ?? 0), 0);
      expect(sum).toBe(120);
    } finally {
      await second.stop();
    }
  });
});
