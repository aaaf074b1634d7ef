/**
 * How long an SSE response (`metrics.live`) goes without a byte before the Worker writes a keep-alive comment.
 * The isolate is not told a client left while it writes nothing (an idle town pushes nothing), and a write to a
 * connection the client closed fails: the runtime then cancels the response body, and the subscription ends at
 * once (its place among the viewer's 20 of the town freed). Each hop that relays the stream finds out on a write
 * of its own (`wrangler dev` has two), so a left stream ends within a few of these; 20 bytes every 5 s cost nothing
 * worth counting, and the timer lives only as long as its stream.
 */
export const SSE_KEEP_ALIVE_MS = 5_000;

/** An SSE comment line and the blank line after it: every SSE reader (EventSource, tRPC's client) ignores it. */
export const SSE_KEEP_ALIVE = new TextEncoder().encode(': keep-alive\n\n');

const NEWLINE = 10;

/**
 * `response` as is, unless it is an event stream: then the same response whose body gets SSE_KEEP_ALIVE after
 * `everyMs` without a byte, written only between events (after a blank line), and only when what was written
 * before has been taken. The timer stops when the body ends or is cancelled (by the runtime when the client is
 * gone), and a cancel reaches the body's source (tRPC aborts the subscription on it).
 */
export function withKeepAlive(response: Response, everyMs = SSE_KEEP_ALIVE_MS): Response {
  const body = response.body;
  if (!body || !response.headers.get('content-type')?.startsWith('text/event-stream')) return response;
  return new Response(keepingAlive(body, everyMs), response);
}

function keepingAlive(body: ReadableStream<Uint8Array>, everyMs: number): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** After a blank line (or before anything): a comment here cannot split an event. */
  let betweenEvents = true;
  let done = false;
  const stop = () => {
    done = true;
    clearTimeout(timer);
  };
  /** A keep-alive `everyMs` after the last byte, while the stream lasts. */
  const arm = (controller: ReadableStreamDefaultController<Uint8Array>) => {
    clearTimeout(timer);
    if (done) return;
    timer = setTimeout(() => {
      // Nothing queued: what was written before was taken (a reader that takes nothing gets no pile of these).
      if (!done && betweenEvents && (controller.desiredSize ?? 0) >= 0) controller.enqueue(SSE_KEEP_ALIVE);
      arm(controller);
    }, everyMs);
  };
  return new ReadableStream<Uint8Array>(
    {
      start: arm,
      async pull(controller) {
        let next: ReadableStreamReadResult<Uint8Array>;
        try {
          next = await reader.read();
        } catch (err) {
          stop();
          controller.error(err);
          return;
        }
        if (next.done) {
          stop();
          controller.close();
          return;
        }
        const chunk = next.value;
        if (chunk.length === 0) return;
        controller.enqueue(chunk);
        betweenEvents = chunk.length >= 2 && chunk[chunk.length - 1] === NEWLINE && chunk[chunk.length - 2] === NEWLINE;
        arm(controller);
      },
      cancel(reason) {
        stop();
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
