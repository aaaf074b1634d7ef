import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from '../testing/server.js';
import { TreeWatcher, watchDir } from './tree-watcher.js';

describe('TreeWatcher', () => {
  const dir = tempDir('gg-tree-watcher-');
  afterAll(() => removeDir(dir));
  for (let i = 0; i < 12; i++) mkdirSync(join(dir, `d${i}`, 'sub'), { recursive: true });

  it('watches every directory of the tree, up to its bound', () => {
    const w = new TreeWatcher(() => {}, watchDir, 25);
    w.sync([dir]);
    expect(w.failed).toBeUndefined();
    expect(w.size).toBe(25);
    w.close();
  });

  it('past its bound watches nothing and says why: the caller rescans, the user keeps their inotify watches', () => {
    const w = new TreeWatcher(() => {}, watchDir, 24);
    w.sync([dir]);
    expect(w.failed).toBe('more than 24 directories to watch');
    expect(w.size).toBe(0);
    w.close();
  });
});
