import { AppError } from '@gasgauge/core';

/**
 * Lists and objects open at once in a JSON request body, at most: REST ingest, tRPC and OTLP JSON alike. Counted
 * before the body is parsed: JSON.parse of 1 MiB nested 500,000 deep takes ~120 ms of the event loop (a flat
 * 1 MiB batch ~3 ms), and its lone-surrogate walk and error path grow with the depth (a tRPC body of that shape
 * is parsed before any budget is spent). No body a route takes comes near it: a note's data is at most 32 deep
 * within its event, the deepest OTLP export the other bounds allow under 80.
 */
export const MAX_JSON_DEPTH = 128;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * One pass over JSON as UTF-8 bytes (no byte of a multi-byte character is ASCII), skipping strings: refuses it
 * (`400` on `body`) once more than MAX_JSON_DEPTH lists and objects are open at once, else returns its lists,
 * objects and commas plus one, at least the values it holds (every value but a list's or object's first
 * follows a comma).
 */
export function scanJson(bytes: Uint8Array): number {
  let values = 1;
  let depth = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === QUOTE) {
      // A string: to its closing quote, found natively, past escaped ones (an odd run of backslashes before it).
      for (;;) {
        const end = bytes.indexOf(QUOTE, i + 1);
        if (end < 0) return values;
        let slashes = 0;
        while (bytes[end - 1 - slashes] === BACKSLASH) slashes++;
        i = end;
        if (slashes % 2 === 0) break;
      }
    } else if (c === 0x7b || c === 0x5b) {
      values++;
      if (++depth > MAX_JSON_DEPTH)
        throw new AppError('bad_request', `JSON nested at most ${MAX_JSON_DEPTH} lists and objects deep`, { path: 'body' });
    } else if (c === 0x7d || c === 0x5d) depth--;
    else if (c === 0x2c) values++;
  }
  return values;
}
