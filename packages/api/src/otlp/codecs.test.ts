import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs/light.js';
import { describe, expect, it } from 'vitest';
import { codecsSource } from './codecs-source.js';
import { OTLP } from './schema.js';

describe('OTLP codecs generated at build time', () => {
  it('codecs.generated.ts is what the generator writes for descriptor.ts today (run npm run gen:otlp)', () => {
    const checkedIn = readFileSync(new URL('./codecs.generated.ts', import.meta.url), 'utf8');
    expect(checkedIn).toBe(codecsSource());
  });

  // workerd refuses `new Function`: a message that still reaches protobufjs's lazy setup would fail there.
  it('encodes, decodes and converts every OTLP message without generating code at run time', () => {
    const original = globalThis.Function;
    const body = OTLP.metricsRequest
      .encode(
        OTLP.metricsRequest.fromObject({
          resourceMetrics: [
            { scopeMetrics: [{ metrics: [{ name: 'n', sum: { dataPoints: [{ asInt: '7', timeUnixNano: '1' }] } }] }] },
          ],
        }),
      )
      .finish();
    globalThis.Function = new Proxy(original, {
      apply: () => expect.unreachable('code generation at run time'),
      construct: () => expect.unreachable('code generation at run time'),
    });
    try {
      const back = OTLP.metricsRequest.toObject(OTLP.metricsRequest.decode(body), { longs: String, defaults: false });
      expect(back.resourceMetrics[0].scopeMetrics[0].metrics[0].sum.dataPoints[0].asInt).toBe('7');
      const logs = OTLP.logsRequest.fromObject({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ eventName: 'e' }] }] }] });
      expect(OTLP.logsRequest.decode(OTLP.logsRequest.encode(logs).finish())).toBeInstanceOf(protobuf.Message);
    } finally {
      globalThis.Function = original;
    }
  });
});
