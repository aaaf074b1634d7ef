import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from '../testing/server.js';
import { opencodeDataDirs, opencodeNamedStores, storeFile } from './files.js';

describe('where OpenCode and Kilo keep their data', () => {
  const dir = tempDir('gg-opencode-files-');
  afterAll(() => removeDir(dir));

  it('defaults to ~/.local/share/{opencode,kilo}; each env var replaces its own; given dirs replace both', () => {
    expect(opencodeDataDirs([], { HOME: '/h' })).toEqual(['/h/.local/share/opencode', '/h/.local/share/kilo']);
    expect(opencodeDataDirs([], { HOME: '/h', OPENCODE_DATA_DIR: '/a, /b,,/a' })).toEqual(['/a', '/b', '/h/.local/share/kilo']);
    expect(opencodeDataDirs([], { HOME: '/h', KILO_DATA_DIR: '/k' })).toEqual(['/h/.local/share/opencode', '/k']);
    // OpenCode and Kilo write under XDG_DATA_HOME when it is set (xdg-basedir): read there too; a relative one is ignored.
    expect(opencodeDataDirs([], { HOME: '/h', XDG_DATA_HOME: '/x' })).toEqual([
      '/h/.local/share/opencode',
      '/x/opencode',
      '/h/.local/share/kilo',
      '/x/kilo',
    ]);
    expect(opencodeDataDirs([], { HOME: '/h', XDG_DATA_HOME: '/h/.local/share' })).toEqual([
      '/h/.local/share/opencode',
      '/h/.local/share/kilo',
    ]);
    expect(opencodeDataDirs([], { HOME: '/h', XDG_DATA_HOME: 'rel' })).toEqual([
      '/h/.local/share/opencode',
      '/h/.local/share/kilo',
    ]);
    expect(opencodeDataDirs([], { HOME: '/h', XDG_DATA_HOME: '/x', OPENCODE_DATA_DIR: '/a' })).toEqual([
      '/a',
      '/h/.local/share/kilo',
      '/x/kilo',
    ]);
    expect(opencodeDataDirs(['~/x', '/y'], { HOME: '/h', OPENCODE_DATA_DIR: '/a' })).toEqual([
      expect.stringMatching(/\/x$/),
      '/y',
    ]);
  });

  it('follows OPENCODE_DB and KILO_DB as OpenCode and Kilo read them: a path, or a name in each of the tool’s data dirs', () => {
    expect(opencodeNamedStores([], { HOME: '/h' })).toEqual([]);
    expect(opencodeNamedStores([], { HOME: '/h', OPENCODE_DB: '/s/work.db', KILO_DB: '/s/k.db' })).toEqual([
      '/s/work.db',
      '/s/k.db',
    ]);
    // A name: in the tool's own data dirs (OpenCode joins it to its data dir), not the other tool's.
    expect(opencodeNamedStores([], { HOME: '/h', XDG_DATA_HOME: '/x', OPENCODE_DB: 'work.db' })).toEqual([
      '/h/.local/share/opencode/work.db',
      '/x/opencode/work.db',
    ]);
    expect(opencodeNamedStores([], { HOME: '/h', KILO_DATA_DIR: '/k1,/k2', KILO_DB: 'sub/k.db' })).toEqual([
      '/k1/sub/k.db',
      '/k2/sub/k.db',
    ]);
    // No file (`:memory:`), unset or empty: none. Dirs given (--opencode-dir) replace every default, these too.
    expect(opencodeNamedStores([], { HOME: '/h', OPENCODE_DB: ':memory:', KILO_DB: '' })).toEqual([]);
    expect(opencodeNamedStores(['/d'], { HOME: '/h', OPENCODE_DB: '/s/work.db' })).toEqual([]);
  });

  it('finds opencode.db, kilo.db, else the first opencode-<channel>.db or kilo-<channel>.db', () => {
    const d = join(dir, 'data');
    mkdirSync(d);
    expect(storeFile(d)).toBeUndefined();
    expect(storeFile(join(dir, 'missing'))).toBeUndefined();
    // A data dir under a file or device (XDG_DATA_HOME=/dev/null): no store, not two "found" that cannot be read.
    writeFileSync(join(dir, 'a-file'), '');
    expect(storeFile(join(dir, 'a-file', 'opencode'))).toBeUndefined();
    expect(storeFile('/dev/null/opencode')).toBeUndefined();
    // Kilo 7.7.7 names a channel's store kilo-<channel>.db; a channel keeps its dots (OpenCode 1.18.33 and Kilo alike).
    writeFileSync(join(d, 'kilo-dev.db'), '');
    expect(storeFile(d)).toBe(join(d, 'kilo-dev.db'));
    writeFileSync(join(d, 'opencode-0.0.0-dev.1.db'), '');
    expect(storeFile(d)).toBe(join(d, 'kilo-dev.db'));
    rmSync(join(d, 'kilo-dev.db'));
    expect(storeFile(d)).toBe(join(d, 'opencode-0.0.0-dev.1.db'));
    rmSync(join(d, 'opencode-0.0.0-dev.1.db'));
    writeFileSync(join(d, 'opencode-beta.db'), '');
    writeFileSync(join(d, 'opencode-alpha.db'), '');
    writeFileSync(join(d, 'opencode-x y.db'), '');
    expect(storeFile(d)).toBe(join(d, 'opencode-alpha.db'));
    writeFileSync(join(d, 'kilo.db'), '');
    expect(storeFile(d)).toBe(join(d, 'kilo.db'));
    writeFileSync(join(d, 'opencode.db'), '');
    expect(storeFile(d)).toBe(join(d, 'opencode.db'));
  });
});
