import { AppError } from '@gasgauge/core';
import { scanJson } from './json-depth.js';
import { decodeUtf8, refuseLoneSurrogatesInJson } from './utf8.js';

/**
 * Bytes of UTF-8 text parsed as one piece at most. A JS string over 128 KiB is a large object in V8: each
 * one is freshly mapped memory, faulted in page by page and unmapped at the next scavenge. Where page faults
 * are dear (a Firecracker VM here: ~40 µs each, ~50 a body) a 132 KiB batch decoded as one string took
 * ~1 ms to decode against ~30 µs in pieces. 40 KiB of UTF-8 is at most 40 Ki UTF-16 units, and the head
 * and tail pieces parsed together stay under 128 KiB even as a two-byte string.
 */
export const PIECE_BYTES = 40 * 1024;

/** `},{`: between two objects of an array, in JSON as JSON.stringify writes it. */
const CLOSE_BRACE = 0x7d;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const QUOTE = 0x22;
const COLON = 0x3a;
const BACKSLASH = 0x5c;
/** Bytes of an element's start (`{"key":`) compared at each cut at most. */
const MAX_SIGNATURE = 64;

/**
 * The JSON text of `bytes` parsed, refusing invalid UTF-8, invalid JSON and lone surrogates with the 400
 * JSON.parse of the whole text would give, and JSON nested past MAX_JSON_DEPTH before any of it is parsed. A big text whose bulk is one array of objects written
 * compactly (a batch of records, an OTLP export) is parsed in pieces under 128 KiB (see PIECE_BYTES):
 *
 * - it is cut at `},{` found natively (no scan in JS), each cut as late as a piece allows, where the next
 *   object starts as the first array of objects' first element does (`{"id":`, see elementSignature);
 * - the pieces between cuts are each parsed as `[…]`; the first and the last are parsed together with a
 *   random marker string where the middle was, and the middle's objects replace the marker;
 * - a cut inside a string, or between objects of another array or depth, leaves a piece that is not JSON
 *   (a string left open, a bracket left open), and so does a marker that is not found exactly once: then,
 *   as for any text not shaped so, the whole text is parsed as one piece, which answers or refuses it.
 *
 * So it answers exactly what JSON.parse of the whole answers (json-bytes.test.ts compares them on
 * generated and mutated texts, with pieces of a few bytes).
 */
export function parseJsonBytes(bytes: Uint8Array, pieceBytes = PIECE_BYTES): unknown {
  scanJson(bytes);
  if (bytes.length > pieceBytes * 2) {
    try {
      const value = parseInPieces(bytes, pieceBytes);
      if (value !== NOT_SPLIT) return value;
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      // A piece refused: the whole text is refused as JSON.parse of it refuses it (invalid UTF-8 first).
    }
  }
  return parseText(decodeUtf8(bytes));
}

function parseText(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError('bad_request', 'body is not valid JSON', { path: 'body' });
  }
  refuseLoneSurrogatesInJson(text, value);
  return value;
}

/** What parseInPieces answers for a text it does not split (the caller parses it whole). */
export const NOT_SPLIT: unique symbol = Symbol('not split');

/**
 * How the elements of the text's first array of objects start: `{"key":` (undefined when there is no such
 * array, or its first key has an escape). Cuts are made only before an object starting so, which keeps
 * them between that array's elements rather than in objects nested in them (OTLP's attributes).
 */
function elementSignature(b: Uint8Array): Uint8Array | undefined {
  let at = b.indexOf(OPEN_BRACKET);
  while (at >= 0 && !(b[at + 1] === OPEN_BRACE && b[at + 2] === QUOTE)) at = b.indexOf(OPEN_BRACKET, at + 1);
  if (at < 0) return undefined;
  const keyEnd = b.indexOf(QUOTE, at + 3);
  if (keyEnd < 0 || keyEnd - at > MAX_SIGNATURE || b[keyEnd + 1] !== COLON) return undefined;
  const signature = b.subarray(at + 1, keyEnd + 2);
  return signature.includes(BACKSLASH) ? undefined : signature;
}

/** The last `},` + signature whose `}` is in [from, before): the index of its `}`, or -1. */
function lastCut(b: Uint8Array, signature: Uint8Array, from: number, before: number): number {
  let at = before - 1;
  while (at >= from) {
    const close = b.lastIndexOf(CLOSE_BRACE, at);
    if (close < from) return -1;
    if (b[close + 1] === COMMA && startsWith(b, close + 2, signature)) return close;
    at = close - 1;
  }
  return -1;
}

function startsWith(b: Uint8Array, at: number, prefix: Uint8Array): boolean {
  for (let i = 0; i < prefix.length; i++) if (b[at + i] !== prefix[i]) return false;
  return true;
}

/** The text parsed in pieces of at most `piece` bytes (see parseJsonBytes), or NOT_SPLIT; throws a piece's 400. */
export function parseInPieces(b: Uint8Array, piece: number): unknown {
  // Cuts: each piece ends with a `}` (cut + 1) and the next starts with its `{` (cut + 2).
  const signature = elementSignature(b);
  if (!signature) return NOT_SPLIT;
  const cuts: number[] = [];
  let start = 0;
  while (b.length - start > piece) {
    const cut = lastCut(b, signature, start, start + piece - 1);
    if (cut < 0) return NOT_SPLIT;
    cuts.push(cut);
    start = cut + 2;
  }
  if (cuts.length < 2) return NOT_SPLIT;
  const first = cuts[0] as number;
  const last = cuts[cuts.length - 1] as number;
  const marker = `gg-splice-${randomHex()}`;
  const head = decodeUtf8(b.subarray(0, first + 1));
  const tail = decodeUtf8(b.subarray(last + 2));
  const outer = parseText(`${head},${JSON.stringify(marker)},${tail}`);
  const found = findMarker(outer, marker);
  if (!found) return NOT_SPLIT;
  const middle: unknown[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const piece = parseText(`[${decodeUtf8(b.subarray((cuts[i] as number) + 2, (cuts[i + 1] as number) + 1))}]`) as unknown[];
    for (const v of piece) middle.push(v);
  }
  const { list, index } = found;
  const rest = list.splice(index + 1);
  list.length = index;
  for (const v of middle) list.push(v);
  for (const v of rest) list.push(v);
  return outer;
}

/** The one array holding the marker string, and where; undefined when it is not there exactly once. */
function findMarker(value: unknown, marker: string): { list: unknown[]; index: number } | undefined {
  let found: { list: unknown[]; index: number } | undefined;
  let count = 0;
  // Iterative: the head and tail may nest deep.
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (v === marker) count++;
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        if (v[i] === marker) {
          count++;
          found = { list: v, index: i };
        } else if (typeof v[i] === 'object' && v[i] !== null) stack.push(v[i]);
      }
    } else if (typeof v === 'object' && v !== null) {
      for (const [key, child] of Object.entries(v)) {
        if (key === marker) count++;
        stack.push(child);
      }
    }
  }
  return count === 1 ? found : undefined;
}

function randomHex(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}
