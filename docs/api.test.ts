import { readFileSync } from 'node:fs';
import { type RunningServer, startServer } from '@gasgauge/server';
import { tempDir } from '@gasgauge/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** docs/api.md is executable: every request in it runs, in order, and must get exactly the documented response. */
const NOW = 1795608000000;
const doc = readFileSync(new URL('./api.md', import.meta.url), 'utf8');

/** `format` is the response block's language: `json` is matched as JSON, `openmetrics` as exact text. */
type Step =
  | { kind: 'tick' }
  | { kind: 'request'; title: string; http: string; status: number; format: 'json' | 'openmetrics'; body: string };

function parseDoc(md: string): Step[] {
  const steps: Step[] = [];
  const re = /<!-- tick -->|```http\n([\s\S]*?)```\s*→ `(\d{3})`\s*```(json|openmetrics)\n([\s\S]*?)```/g;
  for (const m of md.matchAll(re)) {
    if (m[0] === '<!-- tick -->') steps.push({ kind: 'tick' });
    else
      steps.push({
        kind: 'request',
        title: (m[1] ?? '').split('\n')[0] ?? '',
        http: m[1] ?? '',
        status: Number(m[2]),
        format: m[3] === 'openmetrics' ? 'openmetrics' : 'json',
        body: m[4] ?? '',
      });
  }
  return steps;
}

function substitute(text: string, vars: Map<string, unknown>): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (vars.has(name) ? String(vars.get(name)) : whole));
}

/** Deep equality where "<name>" binds any string or number and an object with a "…" key allows more keys. */
function match(expected: unknown, actual: unknown, vars: Map<string, unknown>, at: string): void {
  if (typeof expected === 'string') {
    const bind = expected.match(/^<(\w+)>$/);
    if (bind) {
      const name = bind[1] as string;
      if (typeof actual !== 'string' && typeof actual !== 'number')
        throw new Error(`${at}: expected a value for <${name}>, got ${JSON.stringify(actual)}`);
      if (vars.has(name) && vars.get(name) !== actual) throw new Error(`${at}: <${name}> was ${vars.get(name)}, now ${actual}`);
      vars.set(name, actual);
      return;
    }
    expected = substitute(expected, vars);
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length)
      throw new Error(`${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
    for (const [i, e] of expected.entries()) match(e, actual[i], vars, `${at}[${i}]`);
    return;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual))
      throw new Error(`${at}: expected an object, got ${JSON.stringify(actual)}`);
    // Maps of the own entries: a key such as __proto__ is data here, not the prototype.
    const want = new Map(Object.entries(expected));
    const got = new Map(Object.entries(actual));
    const open = want.delete('…');
    if (!open) {
      const extra = [...got.keys()].filter((k) => !want.has(k));
      if (extra.length > 0) throw new Error(`${at}: undocumented keys ${extra.join(', ')}`);
    }
    for (const [k, v] of want) match(v, got.get(k), vars, `${at}.${k}`);
    return;
  }
  if (!Object.is(expected, actual)) throw new Error(`${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

describe('docs/api.md', () => {
  let server: RunningServer;
  const vars = new Map<string, unknown>();
  const steps = parseDoc(doc);

  beforeAll(async () => {
    server = await startServer({
      dataDir: tempDir('gg-docs-'),
      port: 0,
      host: '127.0.0.1',
      clock: () => NOW,
      autoTick: false,
      log: () => {},
    });
    vars.set('userToken', server.adminToken);
  });
  afterAll(() => server.close());

  it('has examples to run', () => {
    expect(steps.filter((s) => s.kind === 'request').length).toBeGreaterThanOrEqual(10);
    expect(steps.some((s) => s.kind === 'tick')).toBe(true);
  });

  steps.forEach((step, i) => {
    if (step.kind === 'tick') {
      it(`step ${i}: tick`, () => {
        server.tickTown(String(vars.get('townId')));
      });
      return;
    }
    it(`step ${i}: ${step.title}`, async () => {
      const [head = '', body] = substitute(step.http, vars).split(/\n\n/, 2);
      const [requestLine = '', ...headerLines] = head.split('\n');
      const [method = 'GET', path = '/'] = requestLine.split(' ');
      const headers = headerLines.filter((l) => l.trim()).map((l) => l.split(/:\s*/, 2) as [string, string]);
      const res = await fetch(server.url + path, { method, headers, ...(body?.trim() ? { body } : {}) });
      const text = await res.text();
      expect({ status: res.status, text }).toMatchObject({ status: step.status });
      if (step.format === 'openmetrics') expect(text).toBe(substitute(step.body, vars));
      else match(JSON.parse(step.body), JSON.parse(text), vars, 'response');
    });
  });
});
