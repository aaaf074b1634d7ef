import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * The product writes "organisation" (help, docs, the web UI); the API's and CLI's messages had drifted to
 * "organization". The word alone, not the names the code and wire use (`organizationId`, the `organizations`
 * table, `Organization`, Claude Code's `organization.id` attribute), nor Cloudflare's generated types.
 */
const WRONG = /\borganization\b(?!\.id)/;

function tracked(): string[] {
  return execFileSync(
    'git',
    ['ls-files', '-co', '--exclude-standard', 'packages/*/src/**', 'docs/**', '*.md', 'packages/*/*.md'],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  )
    .split('\n')
    .filter((f) => /\.(ts|tsx|md)$/.test(f) && !f.endsWith('worker-configuration.d.ts'));
}

function misspelled(text: string): string[] {
  return text.split('\n').filter((line) => WRONG.test(line));
}

describe('one spelling of organisation', () => {
  it('finds the word and leaves the names alone', () => {
    expect(
      misspelled("'not a member of this organization'\norganizationId\nFROM organizations\nkv('organization.id', x)"),
    ).toEqual(["'not a member of this organization'"]);
  });

  it('no source or doc writes "organization"', () => {
    const found = tracked().flatMap((f) => misspelled(readFileSync(join(ROOT, f), 'utf8')).map((l) => `${f}: ${l.trim()}`));
    expect(found).toEqual([]);
  });
});
