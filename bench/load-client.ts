import http from 'node:http';
import type { LoadJob, LoadResult } from './load.js';
import { otlpExport, POINTS_PER_AGENT } from './otlp-body.js';
import { usageBody } from './records.js';

/** Child process: runs one LoadJob per IPC message against a loopback server and replies with a LoadResult. */
process.on('message', (job: LoadJob) => {
  runJob(job).then(
    (result) => process.send?.(result),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
});
process.on('disconnect', () => process.exit(0));

interface Reply {
  status: number;
  text: string;
}

async function runJob(job: LoadJob): Promise<LoadResult> {
  const target = new URL(job.url);
  if (target.hostname !== '127.0.0.1' && target.hostname !== '[::1]') throw new Error(`not a loopback url: ${job.url}`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.concurrency });
  const latencies: number[] = [];
  let issued = 0;
  let errors = 0;
  let firstError: string | null = null;
  let accepted = 0;
  let bodyBytes = 0;
  const start = performance.now();
  const deadline = start + job.maxMs;

  const send = (method: string, path: string, body: string | Uint8Array | undefined): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const headers: http.OutgoingHttpHeaders = { authorization: `Bearer ${job.token}` };
      if (body !== undefined) {
        headers['content-type'] = typeof body === 'string' ? 'application/json' : 'application/x-protobuf';
        headers['content-length'] = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
      }
      const req = http.request({ host: target.hostname, port: target.port, method, path, agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });

  const one = async (): Promise<void> => {
    let reply: Reply;
    let t0: number;
    if (job.kind === 'usage') {
      const body = usageBody(job.batch);
      bodyBytes += body.length;
      t0 = performance.now();
      reply = await send('POST', job.path, body);
    } else if (job.kind === 'otlp') {
      const body = otlpExport(job.agents);
      bodyBytes += body.byteLength;
      t0 = performance.now();
      reply = await send('POST', '/v1/metrics', body);
    } else {
      const to = Date.now();
      const path = `/api/towns/${job.townId}/metrics/timeseries?from=${to - job.spanMs}&to=${to}&maxPoints=${job.maxPoints}`;
      t0 = performance.now();
      reply = await send('GET', path, undefined);
    }
    latencies.push(performance.now() - t0);
    if (reply.status !== 200 || (job.kind === 'otlp' && reply.text !== '')) {
      // An OTLP export answers an empty ExportMetricsServiceResponse when every point was taken.
      errors++;
      firstError ??= `${reply.status} ${reply.text.slice(0, 200)}`;
    } else if (job.kind === 'otlp') {
      accepted += job.agents * POINTS_PER_AGENT;
    } else if (job.kind === 'usage' && reply.text.includes('"accepted"')) {
      accepted += (JSON.parse(reply.text) as { accepted: number }).accepted;
    }
  };

  const lane = async (): Promise<void> => {
    while (issued < job.maxRequests && performance.now() < deadline) {
      issued++;
      await one();
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, lane));
  const elapsedMs = performance.now() - start;
  agent.destroy();
  return {
    requests: latencies.length,
    errors,
    firstError,
    elapsedMs,
    latenciesMs: Float64Array.from(latencies),
    accepted,
    bodyBytes,
  };
}
