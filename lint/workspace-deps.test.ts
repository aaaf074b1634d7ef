import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/**
 * Test and tooling files: they run in the workspace, so they may also use the root's devDependencies
 * (vitest, fast-check, the OTel SDK …) and the other workspace packages (a test of the API runs it on the
 * Node host).
 */
const TEST_FILE = /(\.test\.tsx?$|\/testing\/|\/e2e\/|\/fuzz\/|\/bench\/|\.config\.[cm]?ts$)/;

interface ImportUse {
  name: string;
  typeOnly: boolean;
}

/** The packages a source imports (bare specifiers only), and whether each import is for types only. */
function importedPackages(source: string, fileName = 'file.ts'): ImportUse[] {
  const out: ImportUse[] = [];
  const add = (spec: string, typeOnly: boolean) => {
    if (/^(\.|\/|node:|cloudflare:)/.test(spec)) return;
    const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] as string);
    if (!isBuiltin(name)) out.push({ name, typeOnly });
  };
  // The compiler's parser, not a pattern: an import written inside a string (a lint's own test input) is no import.
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      const typeOnly = ts.isImportDeclaration(node) ? node.importClause?.isTypeOnly === true : node.isTypeOnly;
      add(node.moduleSpecifier.text, typeOnly);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      add(node.arguments[0].text, false);
    }
    ts.forEachChild(node, visit);
  };
  visit(
    ts.createSourceFile(
      fileName,
      source,
      ts.ScriptTarget.Latest,
      false,
      fileName.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS,
    ),
  );
  return out;
}

function manifest(path: string): Manifest {
  return JSON.parse(readFileSync(`${ROOT}${path}`, 'utf8')) as Manifest;
}

/**
 * What each workspace package imports, it declares: a package that leans on what another one brought in
 * works in the workspace (npm hoists everything to the root) and breaks where it is installed or built on
 * its own. Code that runs needs `dependencies`; a type-only import may use `devDependencies`; tests and
 * tooling may also use the workspace (see TEST_FILE).
 */
describe('workspace packages', () => {
  it('declare every package their code imports', () => {
    const root = manifest('package.json');
    const rootDev = new Set(Object.keys(root.devDependencies ?? {}));
    const files = execFileSync('git', ['ls-files', 'packages/*/package.json'], { cwd: ROOT, encoding: 'utf8' }).split('\n');
    const workspace = new Set(files.filter(Boolean).map((f) => manifest(f).name));
    const missing: string[] = [];
    for (const file of files.filter(Boolean)) {
      const dir = file.replace(/package\.json$/, '');
      const pkg = manifest(file);
      const deps = new Set(Object.keys(pkg.dependencies ?? {}));
      const dev = new Set(Object.keys(pkg.devDependencies ?? {}));
      const sources = execFileSync('git', ['ls-files', '--', `${dir}*.ts`, `${dir}*.tsx`, `${dir}*.mjs`], {
        cwd: ROOT,
        encoding: 'utf8',
      }).split('\n');
      for (const path of sources.filter((p) => p && !p.endsWith('.d.ts'))) {
        const test = TEST_FILE.test(path);
        for (const use of importedPackages(readFileSync(`${ROOT}${path}`, 'utf8'), path)) {
          if (use.name === pkg.name || deps.has(use.name)) continue;
          if ((use.typeOnly || test) && dev.has(use.name)) continue;
          if (test && (rootDev.has(use.name) || workspace.has(use.name))) continue;
          missing.push(`${path}: ${use.name}${use.typeOnly ? ' (types)' : ''} is not in ${pkg.name}'s package.json`);
        }
      }
    }
    expect([...new Set(missing)]).toEqual([]);
  });
});

describe('importedPackages', () => {
  it('finds static, dynamic and side-effect imports and re-exports, and tells type-only ones', () => {
    const src = [
      "import { a } from 'alpha/sub';",
      "import type { B } from '@scope/beta/deep';",
      "export { c } from 'gamma';",
      "export type { D } from 'delta';",
      "const e = await import('epsilon');",
      "import 'zeta';",
      "import { f } from './local.js';",
      "import { readFileSync } from 'node:fs';",
      "import { join } from 'path';",
      "import { env } from 'cloudflare:workers';",
    ].join('\n');
    expect(importedPackages(src)).toEqual([
      { name: 'alpha', typeOnly: false },
      { name: '@scope/beta', typeOnly: true },
      { name: 'gamma', typeOnly: false },
      { name: 'delta', typeOnly: true },
      { name: 'epsilon', typeOnly: false },
      { name: 'zeta', typeOnly: false },
    ]);
  });

  it('reads an import that spans lines, and not one written inside a string', () => {
    expect(importedPackages("import {\n  a,\n  b,\n} from 'alpha';\nconst s = \"import { y } from 'beta';\";\n")).toEqual([
      { name: 'alpha', typeOnly: false },
    ]);
  });
});
