import { describe, expect, it } from 'vitest';
import { keyUsage } from './key-usage.js';

describe('keyUsage', () => {
  it('shows an ingest key as an OpenTelemetry endpoint and bearer header', () => {
    const text = keyUsage('ingest', 'ggi_k', 'https://gauge.example.com', 'town_1');
    expect(text).toContain('OTEL_EXPORTER_OTLP_ENDPOINT=https://gauge.example.com');
    expect(text).toContain('OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer ggi_k"');
  });

  it("shows a scrape key as a Prometheus job on the town's endpoint", () => {
    const text = keyUsage('scrape', 'ggp_k', 'http://127.0.0.1:8787', 'town_1');
    expect(text).toContain('metrics_path: /api/towns/town_1/metrics/prometheus');
    expect(text).toContain('credentials: ggp_k');
    expect(text).toContain('targets: ["127.0.0.1:8787"]');
  });
});
