/**
 * Bounds for free-form JSON a client stores (a note's `data`). Depth is measured with an explicit
 * stack, never by recursion: a recursive walk (zod's `z.json()`, `JSON.stringify`) of a body nested a
 * few thousand deep overflows the stack, a 500 instead of a 400.
 */
export const MAX_NOTE_DATA_BYTES = 16 * 1024;
export const MAX_NOTE_DATA_DEPTH = 32;

/** How deeply `value` nests arrays and objects (a scalar is 0, `{}` is 1); stops at `limit + 1`. */
export function jsonDepth(value: unknown, limit: number): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  for (let top = stack.pop(); top; top = stack.pop()) {
    const [v, above] = top;
    if (v === null || typeof v !== 'object') continue;
    const depth = above + 1;
    if (depth > limit) return depth;
    if (depth > max) max = depth;
    for (const child of Array.isArray(v) ? v : Object.values(v))
      if (child !== null && typeof child === 'object') stack.push([child, depth]);
  }
  return max;
}

const encoder = new TextEncoder();

/** The UTF-8 size of `value` as JSON; call only after jsonDepth has bounded its nesting. */
export function jsonBytes(value: unknown): number {
  return encoder.encode(JSON.stringify(value) ?? '').length;
}
