import { AppError } from '@gasgauge/core';
import { formatPath } from './validate.js';

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * A body's bytes as text, refusing invalid UTF-8: a lossy decode turns every bad sequence into U+FFFD,
 * so distinct ids would be stored as the same string.
 */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw new AppError('bad_request', 'body is not valid UTF-8', { path: 'body' });
  }
}

/** In a `u` regex a surrogate pair is one code point; only an unpaired half is category Cs. */
const LONE_SURROGATE = /\p{Cs}/u;
/** Any surrogate code unit (paired or not), or a JSON escape of one (`\uD800`–`\uDFFF`). */
const SURROGATE_IN_JSON = /[\uD800-\uDFFF]|\\u[dD][89a-fA-F]/;

interface Node {
  value: unknown;
  parent: Node | undefined;
  key: PropertyKey | undefined;
}

/** The keys from the root down to `node`: pushed and reversed once, as unshift per level was quadratic in the depth. */
function pathOf(node: Node): PropertyKey[] {
  const path: PropertyKey[] = [];
  for (let n: Node | undefined = node; n?.key !== undefined; n = n.parent) path.push(n.key);
  return path.reverse();
}

/**
 * refuseLoneSurrogates for `value`, parsed from the JSON `text`: JSON text with no surrogate code unit
 * and no escape of one cannot parse to a string holding one, so that text (every ASCII or BMP body)
 * is one scan of the string instead of a walk over every key and value.
 */
export function refuseLoneSurrogatesInJson(text: string, value: unknown): void {
  if (jsonMayHoldSurrogates(text)) refuseLoneSurrogates(value);
}

/** Whether JSON `text` holds a surrogate or an escape of one: else no string parsed from it holds a lone one. */
export function jsonMayHoldSurrogates(text: string): boolean {
  return SURROGATE_IN_JSON.test(text);
}

/** Whether `text` holds an unpaired surrogate. */
export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

/**
 * Refuses a parsed JSON value holding a lone UTF-16 surrogate in a string or key (`"\ud800"` is valid
 * JSON, but SQLite stores it as U+FFFD, so it would collide like invalid UTF-8). Iterative: a body
 * nested a million deep must not overflow the stack.
 */
export function refuseLoneSurrogates(value: unknown): void {
  const stack: Node[] = [{ value, parent: undefined, key: undefined }];
  for (let node = stack.pop(); node; node = stack.pop()) {
    const v = node.value;
    let bad: PropertyKey[] | undefined;
    if (typeof v === 'string') {
      if (LONE_SURROGATE.test(v)) bad = pathOf(node);
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], parent: node, key: i });
    } else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v);
      if (entries.some(([k]) => LONE_SURROGATE.test(k))) bad = pathOf(node);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, child] = entries[i] as [string, unknown];
        stack.push({ value: child, parent: node, key: k });
      }
    }
    if (bad) {
      const path = formatPath(bad) || 'body';
      throw new AppError('bad_request', `${path}: a lone UTF-16 surrogate (\\ud800–\\udfff) is not text`, { path });
    }
  }
}
