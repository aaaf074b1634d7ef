import { AppError } from '@gasgauge/core';

/** The credential of an `Authorization: Bearer …` header, or a 401 naming what is missing. */
export function bearer(header: string | undefined | null): string {
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  if (match?.[1]) return match[1];
  // A header without the scheme (`-H "Authorization: $TOKEN"`, `OTEL_EXPORTER_OTLP_HEADERS="Authorization=ggi_…"`)
  // was answered "missing Authorization: Bearer credential", as if no header had come. What it holds is never echoed.
  const said = header?.trim()
    ? 'the Authorization header holds no Bearer credential: write it as "Authorization: Bearer TOKEN" (OpenTelemetry: OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer ggi_…")'
    : 'missing Authorization: Bearer credential';
  throw new AppError('unauthorized', said, { path: 'authorization' });
}
