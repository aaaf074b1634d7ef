import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tempDir } from '@gasgauge/server/testing';

/*
 * Runs the repository's Biome plugins (lint/*.grit) the way `npm test` does, on files written to a
 * temporary tree under a copy of biome.json, so each plugin's test sees what the repository's config
 * really applies where.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIOME = join(ROOT, 'node_modules/.bin/biome');

export interface Found {
  path: string;
  line: number;
}

/** Lints `files` (repository-relative paths) under the repository's biome.json; the plugin findings. */
export async function lintWithPlugins(files: { path: string; code: string }[]): Promise<Found[]> {
  const dir = tempDir('gg-lint-');
  const config = JSON.parse(readFileSync(join(ROOT, 'biome.json'), 'utf8')) as {
    $schema?: string;
    overrides: { plugins?: string[] }[];
  };
  delete config.$schema;
  for (const o of config.overrides) if (o.plugins) o.plugins = o.plugins.map((p) => join(ROOT, p));
  writeFileSync(join(dir, 'biome.json'), JSON.stringify(config));
  for (const f of files) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.code);
  }
  const { stdout } = await promisify(execFile)(BIOME, ['lint', '--reporter=json', '--max-diagnostics=none', '.'], {
    cwd: dir,
  }).catch((err: { stdout: string }) => ({ stdout: err.stdout }));
  const report = JSON.parse(stdout) as {
    diagnostics: { category: string; location: { path: string; start: { line: number } } }[];
  };
  return report.diagnostics
    .filter((d) => d.category === 'plugin')
    .map((d) => ({ path: d.location.path, line: d.location.start.line }));
}
