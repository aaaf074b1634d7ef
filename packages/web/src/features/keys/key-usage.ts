import type { KeyKind } from '../../api/keys.js';

/**
 * How to use a key just created, for the page to show beside it once: an ingest key as an OpenTelemetry
 * exporter's endpoint and header (or a reporter's token file), a scrape key as a Prometheus job (docs/prometheus.md).
 */
export function keyUsage(kind: KeyKind, key: string, origin: string, townId: string): string {
  if (kind === 'scrape') {
    const target = new URL(origin).host;
    return [
      'scrape_configs:',
      `  - job_name: gasgauge-${townId}`,
      '    scrape_interval: 30s',
      `    metrics_path: /api/towns/${townId}/metrics/prometheus`,
      '    authorization:',
      '      type: Bearer',
      `      credentials: ${key}`,
      '    static_configs:',
      `      - targets: ["${target}"]`,
    ].join('\n');
  }
  return [
    `OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf OTEL_EXPORTER_OTLP_ENDPOINT=${origin} \\`,
    `OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer ${key}" claude`,
    '',
    '# or as the reporter’s token: echo KEY > token; gasgauge report --token-file token …',
  ].join('\n');
}
