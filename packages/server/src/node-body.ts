import type { IncomingMessage } from 'node:http';
import { type BodyBudget, type BodyReader, bodyBudget, bodyTooLarge, readWebBody } from '@gasgauge/api';
import { AppError } from '@gasgauge/core';

/**
 * Reads the body straight from Node's IncomingMessage. Going through the Web `Request` stream that
 * @hono/node-server builds costs more than the rest of a one-record ingest (measured with npm run bench).
 * Past maxBytes it stops reading and answers 413, and past the process's budget of bodies in flight 503
 * (the app closes either connection, the Node host as its body is unread).
 */
export const readNodeBody: BodyReader = (c, maxBytes, budget = bodyBudget) => readIncoming(c, maxBytes, budget);

function readIncoming(c: Parameters<BodyReader>[0], maxBytes: number, budget: BodyBudget): Promise<Uint8Array> {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!incoming) return readWebBody(c, maxBytes, budget);
  if (Number(incoming.headers['content-length']) > maxBytes) return Promise.reject(bodyTooLarge(maxBytes));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // Every way out gives the budget back once: end, refusal, error, or a client gone before the end.
    const settle = (outcome: () => void) => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      incoming.off('close', onClose);
      budget.give(size);
      outcome();
    };
    const onData = (chunk: Buffer) => {
      if (size + chunk.length > maxBytes) {
        incoming.pause();
        return settle(() => reject(bodyTooLarge(maxBytes)));
      }
      try {
        budget.take(chunk.length);
      } catch (err) {
        incoming.pause();
        return settle(() => reject(err));
      }
      size += chunk.length;
      chunks.push(chunk);
    };
    const onEnd = () => settle(() => resolve(Buffer.concat(chunks, size)));
    // The client went away (or broke HTTP) before the body's end: nobody reads the answer, and it is not
    // a fault of the server's, to be logged as an internal error.
    const early = (cause?: Error) => new AppError('bad_request', 'the body ended early', { path: 'body', cause });
    const onError = (err: Error) => settle(() => reject(early(err)));
    const onClose = () => settle(() => reject(early()));
    incoming.on('data', onData);
    incoming.once('end', onEnd);
    incoming.once('error', onError);
    incoming.once('close', onClose);
  });
}
