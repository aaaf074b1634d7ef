/**
 * One Map key for several strings (an agent and a model, a rule and a subject), each length-prefixed so that no
 * two tuples share a key. Joined with a separator instead (`${agent}\u0000${model}`), a separator inside a value
 * made two pairs one: agent `X\u0000y` with model `z` and agent `X` with model `y\u0000z` were summed together, the
 * second agent's spend credited to the first (lint/no-joined-keys.grit keeps the pattern out).
 */
export function tupleKey(...parts: readonly (string | number)[]): string {
  let key = '';
  for (const part of parts) {
    const text = String(part);
    key += `${text.length}:${text}`;
  }
  return key;
}
