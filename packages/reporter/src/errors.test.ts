import { describe, expect, it } from 'vitest';
import { isDiskFull } from './errors.js';

describe('isDiskFull (the state dir)', () => {
  it('knows a full disk, a quota and a file-size limit, through any cause, and nothing else', () => {
    for (const code of ['SQLITE_FULL', 'ENOSPC', 'EDQUOT', 'EFBIG', 'SQLITE_IOERR_WRITE']) {
      expect(isDiskFull(new Error('wrapped', { cause: Object.assign(new Error(code), { code }) }))).toBe(true);
    }
    expect(isDiskFull(Object.assign(new Error('busy'), { code: 'SQLITE_BUSY' }))).toBe(false);
    expect(isDiskFull('ENOSPC')).toBe(false);
  });
});
