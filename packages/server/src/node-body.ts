import type { IncomingMessage } from 'node:http';
import { type BodyReader, bodyTooLarge, decodeUtf8, readWebBody } from '@gasgauge/api';

/**
 * Reads the body straight from Node's IncomingMessage. Going through the Web `Request` stream that
 * @hono/node-server builds costs more than the rest of a one-record ingest (measured with npm run bench).
 * Past maxBytes it stops reading and answers 413 (the app closes that connection).
 */
export const readNodeBody: BodyReader = (c, maxBytes) => {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!incoming) return readWebBody(c, maxBytes);
  if (Number(incoming.headers['content-length']) > maxBytes) return Promise.reject(bodyTooLarge(maxBytes));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        incoming.off('data', onData);
        incoming.pause();
        reject(bodyTooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    incoming.on('data', onData);
    incoming.once('end', () => {
      try {
        resolve(decodeUtf8(Buffer.concat(chunks, size)));
      } catch (err) {
        reject(err);
      }
    });
    incoming.once('error', reject);
  });
};
