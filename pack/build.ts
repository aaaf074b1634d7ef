import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureWebBuilt, WEB_DIR } from '../packages/web/e2e/build.js';
import { BUNDLED, bundle, ROOT } from './bundle.js';

/**
 * What README.md links to, and what those link to, at the same paths: the package's README is the clone's, and
 * without them its links to the API, the reporter's options and the Dockerfile lead nowhere in an install.
 */
const DOCS = [
  'ARCHITECTURE.md',
  'BENCHMARKS.md',
  'Dockerfile',
  'docs/api.md',
  'docs/prometheus.md',
  'docs/grafana-dashboard.json',
  'packages/reporter/README.md',
];

/**
 * `npm run pack`: builds the web UI if stale, bundles the CLI to JavaScript, lays the package out in a temporary
 * directory (package.json from pack/package.json, `lib/` the bundle, `web/` the UI, README, LICENSE, the documents
 * the README links to and the licenses of bundled npm packages) and packs it into `<dest>/gasgauge-<version>.tgz`. Returns the tarball's path.
 */
export async function pack(dest = ROOT): Promise<string> {
  ensureWebBuilt();
  const version = (readJson(join(ROOT, 'packages/server/package.json')) as { version: string }).version;
  const stage = mkdtempSync(join(tmpdir(), 'gg-pack-stage-'));
  try {
    const dependencies = await bundle(join(stage, 'lib'), { version, webDist: '../web' });
    cpSync(join(WEB_DIR, 'dist'), join(stage, 'web'), { recursive: true });
    for (const file of ['README.md', 'LICENSE', ...DOCS]) cpSync(join(ROOT, file), join(stage, file));
    for (const name of BUNDLED) cpSync(join(ROOT, 'node_modules', name, 'LICENSE'), join(stage, 'licenses', name, 'LICENSE'));
    const template = readJson(join(ROOT, 'pack/package.json')) as Record<string, unknown>;
    const manifest = { name: template.name, version, ...template, dependencies };
    writeFileSync(join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dest], {
      cwd: stage,
      encoding: 'utf8',
      env: npmEnv(),
    });
    const [packed] = JSON.parse(out) as [{ filename: string }];
    return join(dest, packed.filename);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/** The environment without `npm run`'s npm_* variables, which would point a nested npm at this workspace. */
export function npmEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')));
}

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await pack());
}
