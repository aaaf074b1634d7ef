/**
 * SQLite's order of TEXT (the BINARY collation: UTF-8 bytes, which is code point order), for JS code that
 * must agree with an `ORDER BY` or a `>` cursor in SQL. JS's `<` compares UTF-16 code units instead, which
 * puts a character above U+FFFF (a surrogate pair, 0xD800–0xDFFF) before one in U+E000–U+FFFF: a page
 * merged in JS and cut by SQL would then skip or repeat ids that users chose.
 */
export function compareText(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (isSurrogate(x) && !isSurrogate(y) && y >= 0xe000) return 1;
    if (isSurrogate(y) && !isSurrogate(x) && x >= 0xe000) return -1;
    return x - y;
  }
  return a.length - b.length;
}

const isSurrogate = (unit: number): boolean => unit >= 0xd800 && unit <= 0xdfff;
