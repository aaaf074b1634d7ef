import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/*
 * FileTownDirectory closes the least recently used town to bound open files, so a `Town` handle is
 * valid only until the caller yields to the event loop: kept across an await (or captured by an async
 * function or generator that outlives the turn) it throws, or worse, would write beside a newer handle.
 * This scan finds every use of a value typed `Town` in the API and the Node host that sits in an async
 * function or generator, and fails unless the handle was obtained in that same function after its last
 * await or yield before the use.
 */

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const DIRS = ['packages/api/src', 'packages/server/src'];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => join(e.parentPath, e.name))
    .filter((f) => !f.includes('/testing/'));
}

const isSuspending = (fn: ts.Node): boolean =>
  ts.isFunctionLike(fn) &&
  ((ts.getCombinedModifierFlags(fn as ts.Declaration) & ts.ModifierFlags.Async) !== 0 ||
    ((ts.isFunctionDeclaration(fn) || ts.isFunctionExpression(fn) || ts.isMethodDeclaration(fn)) &&
      fn.asteriskToken !== undefined));

/** The name in its own declaration (`const town = …`), not a use of it. */
const isDeclarationName = (node: ts.Identifier): boolean =>
  (ts.isVariableDeclaration(node.parent) || ts.isParameter(node.parent) || ts.isBindingElement(node.parent)) &&
  node.parent.name === node;

function enclosingFunction(node: ts.Node): ts.Node | undefined {
  for (let n = node.parent; n; n = n.parent) if (ts.isFunctionLike(n)) return n;
  return undefined;
}

/** await or yield expressions directly in `fn` (not in nested functions) between positions `from` and `to`. */
function suspendsBetween(fn: ts.Node, from: number, to: number): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found || (n !== fn && ts.isFunctionLike(n))) return;
    if ((ts.isAwaitExpression(n) || ts.isYieldExpression(n) || ts.isForOfStatement(n)) && n.end > from && n.pos < to) {
      if (!ts.isForOfStatement(n) || n.awaitModifier !== undefined) found = true;
    }
    ts.forEachChild(n, visit);
  };
  visit(fn);
  return found;
}

const PROBE = fileURLToPath(new URL('testing/town-handle-probe.fixture.ts', import.meta.url));
const FILES = [...DIRS.flatMap((d) => sources(join(ROOT, d))), PROBE];
// One program for both tests: building it is most of the time.
const program = ts.createProgram(FILES, {
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  types: [],
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  module: ts.ModuleKind.ESNext,
  target: ts.ScriptTarget.ES2022,
});

function townHandlesAcrossAwaits(files: string[]): string[] {
  const checker = program.getTypeChecker();
  const problems: string[] = [];
  for (const file of files) {
    const sf = program.getSourceFile(file);
    if (!sf) continue;
    const visit = (node: ts.Node): void => {
      if (ts.isIdentifier(node) && !isDeclarationName(node)) {
        const type = checker.getTypeAtLocation(node);
        const fn = enclosingFunction(node);
        if (type.getSymbol()?.getName() === 'Town' && fn && isSuspending(fn)) {
          const decl = checker.getSymbolAtLocation(node)?.valueDeclaration;
          const sameFunction = decl !== undefined && enclosingFunction(decl) === fn;
          if (!sameFunction || suspendsBetween(fn, decl.end, node.getStart())) {
            const { line } = sf.getLineAndCharacterOfPosition(node.getStart());
            problems.push(`${relative(ROOT, file)}:${line + 1}: Town handle "${node.text}" used across an await or yield`);
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return problems;
}

describe('Town handles', () => {
  it('are never kept across an await or yield in the API or the Node host', () => {
    const files = FILES.filter((f) => f !== PROBE);
    expect(files.length).toBeGreaterThan(20);
    expect(townHandlesAcrossAwaits(files)).toEqual([]);
  }, 60_000);

  it('the scan catches a handle captured by a generator (metrics.live before the fix)', () => {
    expect(townHandlesAcrossAwaits([PROBE])).toEqual([
      expect.stringContaining('town-handle-probe.fixture.ts:8: Town handle "town" used across an await or yield'),
      expect.stringContaining('town-handle-probe.fixture.ts:15: Town handle "t" used across an await or yield'),
    ]);
  }, 60_000);
});
