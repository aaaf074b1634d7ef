import { readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type OutputChunk } from 'rolldown';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ENTRY = join(ROOT, 'pack/gasgauge.ts');
const CLI_MAIN = join(ROOT, 'packages/server/src/cli/main.ts');
const WORKSPACES = ['core', 'api', 'server', 'reporter'].map((p) => join(ROOT, 'packages', p));

/**
 * What every command may load before it runs: anything more (Hono, tRPC, zod, jose) belongs behind the
 * `await import()` of the one command that needs it: each costs tens of milliseconds on every start.
 */
const START_IMPORTS = new Set(['better-sqlite3']);
/**
 * npm packages bundled in rather than depended on, each for a reason. @trpc/server: its required peer dependency
 * on typescript would make npm install TypeScript (~30 MB) beside every copy of gasgauge. Their licenses are
 * shipped in `licenses/`.
 */
export const BUNDLED = ['@trpc/server'];
/** What the package tells the code about itself (declared in packages/server/src/packaged.d.ts). */
const DEFINES = ['GASGAUGE_VERSION', 'GASGAUGE_WEB_DIST', 'GASGAUGE_CLAUDE_WORKER'] as const;
/** The reporter's Claude parse worker: a second entry, a file of its own beside gasgauge.js (see ChunkReader). */
const CLAUDE_WORKER = join(ROOT, 'packages/reporter/src/claude/parse-worker.ts');

/**
 * Bundles the CLI (pack/gasgauge.ts and every workspace module it reaches) into `outDir` as ESM with source
 * maps. npm packages stay imports; returned, at the versions the workspace pins, they are the package's
 * `dependencies` (better-sqlite3 could not be bundled anyway: it is native).
 * Rolldown (Vite's bundler), not esbuild: esbuild's code splitting gives a chunk every file reached through a
 * barrel (`@gasgauge/api`'s index) that another chunk uses, which put Hono, tRPC and zod in the chunk every
 * command loads first. `"sideEffects": false` in core's and api's package.json lets the barrels be tree-shaken.
 */
export async function bundle(
  outDir: string,
  define: { version: string; webDist: string },
  extraInputs: Record<string, string> = {},
): Promise<Record<string, string>> {
  const output = await build({
    input: { gasgauge: ENTRY, 'claude-parse-worker': CLAUDE_WORKER, ...extraInputs },
    platform: 'node',
    cwd: ROOT,
    logLevel: 'warn',
    external: (id) => isBuiltin(id) || isNpmPackage(id),
    transform: {
      define: {
        [DEFINES[0]]: JSON.stringify(define.version),
        [DEFINES[1]]: JSON.stringify(define.webDist),
        [DEFINES[2]]: JSON.stringify('./claude-parse-worker.js'),
      },
    },
    output: {
      dir: outDir,
      format: 'esm',
      sourcemap: true,
      entryFileNames: '[name].js',
      chunkFileNames: '[name]-[hash].js',
    },
  });
  const chunks = output.output.filter((o): o is OutputChunk => o.type === 'chunk');
  assertLocatesNoFiles(chunks);
  const byName = new Map(chunks.map((c) => [c.fileName, c]));
  const externals = new Set(chunks.flatMap((c) => [...c.imports, ...c.dynamicImports]).filter((id) => !byName.has(id)));
  const heavy = [...staticClosure(chunks, byName)].filter((id) => !isBuiltin(id) && !START_IMPORTS.has(packageName(id)));
  if (heavy.length > 0) {
    throw new Error(`every gasgauge command would load ${heavy.join(', ')} before it runs: import it lazily where it is used`);
  }
  return pinnedVersions([...externals].filter((id) => !isBuiltin(id)).map(packageName));
}

/** A bare import of something in node_modules that stays an import (workspace packages and BUNDLED are bundled). */
function isNpmPackage(id: string): boolean {
  const local = id.startsWith('.') || id.startsWith('/') || id.startsWith('\0') || id.startsWith('@gasgauge/');
  return !local && !BUNDLED.includes(packageName(id));
}

/** `hono/cookie` → `hono`, `@trpc/server/adapters/fetch` → `@trpc/server`. */
function packageName(id: string): string {
  const parts = id.split('/');
  return (id.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
}

/** The externals loaded before a command runs: by the entry, the CLI's main chunk and what they import statically. */
function staticClosure(chunks: OutputChunk[], byName: Map<string, OutputChunk>): Set<string> {
  const seen = new Set<string>();
  const externals = new Set<string>();
  const visit = (chunk: OutputChunk) => {
    if (seen.has(chunk.fileName)) return;
    seen.add(chunk.fileName);
    for (const id of chunk.imports) {
      const next = byName.get(id);
      if (next) visit(next);
      else externals.add(id);
    }
  };
  for (const chunk of chunks) if (chunk.isEntry || chunk.moduleIds.includes(CLI_MAIN)) visit(chunk);
  return externals;
}

/** Each package at the one version the workspace packages' `dependencies` pin; a package none declares fails. */
function pinnedVersions(names: string[]): Record<string, string> {
  const declared = new Map<string, Set<string>>();
  for (const dir of WORKSPACES) {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    for (const [name, version] of Object.entries(pkg.dependencies ?? {})) {
      declared.set(name, (declared.get(name) ?? new Set()).add(version));
    }
  }
  const deps: Record<string, string> = {};
  for (const name of [...new Set(names)].sort()) {
    const versions = [...(declared.get(name) ?? [])];
    if (versions.length !== 1) {
      throw new Error(
        versions.length === 0
          ? `the bundle imports ${name}, which no workspace package lists in its dependencies`
          : `workspace packages pin ${name} at different versions: ${versions.join(', ')}`,
      );
    }
    deps[name] = versions[0] as string;
  }
  return deps;
}

/**
 * Bundled, every module lives in the chunk's folder, so a path made from `import.meta.url` points at the wrong
 * place. A module may use it only if it names one of DEFINES (static.ts, version.ts), which the package sets.
 */
function assertLocatesNoFiles(chunks: OutputChunk[]): void {
  const offenders = chunks
    .flatMap((c) => c.moduleIds)
    .filter((id) => id.startsWith(ROOT) && !id.includes('/node_modules/') && /\.[cm]?[jt]sx?$/.test(id))
    .filter((id) => {
      const source = readFileSync(id, 'utf8');
      return source.includes('import.meta.url') && !DEFINES.some((name) => source.includes(name));
    });
  if (offenders.length > 0) {
    throw new Error(
      `${offenders.map((id) => relative(ROOT, id)).join(', ')} locate files from import.meta.url, which the bundle moves: ` +
        'import the file (JSON) or define its packaged place in pack/bundle.ts',
    );
  }
}
