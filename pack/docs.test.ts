import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from '../packages/reporter/src/testing/server.js';
import { pack } from './build.js';

/** Relative link targets in a Markdown text, without their #fragment (web links and in-page anchors left out). */
function relativeLinks(markdown: string): string[] {
  const targets = [...markdown.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] as string);
  return targets.filter((t) => !/^[a-z]+:/i.test(t) && !t.startsWith('#')).map((t) => t.split('#')[0] as string);
}

/** The package's README is the clone's: every file it (or a document it ships) links to is in the tarball. */
describe('the packed documentation', () => {
  let dir: string;
  let packageRoot: string;
  /** Every path in the package, relative to its root. */
  let files: string[];

  beforeAll(async () => {
    dir = tempDir('gg-pack-docs-');
    const tarball = await pack(dir);
    const out = join(dir, 'out');
    mkdirSync(out);
    execFileSync('tar', ['xzf', tarball, '-C', out]);
    packageRoot = join(out, 'package');
    files = readdirSync(packageRoot, { recursive: true, encoding: 'utf8' }).map((f) => normalize(f));
  }, 120_000);

  afterAll(() => removeDir(dir));

  it('holds every file its Markdown links to', () => {
    const broken: string[] = [];
    for (const doc of files.filter((f) => f.endsWith('.md') && !f.startsWith('licenses'))) {
      for (const target of relativeLinks(readFileSync(join(packageRoot, doc), 'utf8'))) {
        const path = normalize(join(dirname(doc), target));
        if (!files.includes(path)) broken.push(`${doc} -> ${target}`);
      }
    }
    expect(files).toContain('README.md');
    expect(broken).toEqual([]);
  });
});
