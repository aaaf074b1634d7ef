import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ReporterStatus } from './reporter.js';
import { StatusLine } from './status.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A stream that is not a terminal (a service's journal, a file), and what was written to it. */
function notATerminal() {
  const stream = new PassThrough() as unknown as NodeJS.WriteStream & PassThrough;
  const written: string[] = [];
  stream.on('data', (d: Buffer) => written.push(d.toString()));
  return { stream, lines: () => written.join('').split('\n').filter(Boolean) };
}

const status = (over: Partial<ReporterStatus>): ReporterStatus => ({
  read: 0,
  sent: 0,
  pending: 0,
  quarantined: 0,
  dropped: 0,
  lastError: undefined,
  retryAt: undefined,
  full: false,
  ...over,
});

describe('StatusLine off a terminal', () => {
  it("logs a backfill's progress while records wait, once per change, and stops once the outbox emptied", async () => {
    const out = notATerminal();
    let now = status({ read: 10 * 2 ** 20, sent: 100, pending: 50 });
    const line = new StatusLine(out.stream, () => now, 20);
    line.start();
    await sleep(70);
    // The same status is said once, however many intervals pass.
    expect(out.lines()).toEqual(['progress: read 10.0 MiB · sent 100 · pending 50']);
    now = status({ read: 20 * 2 ** 20, sent: 300, pending: 10 });
    await sleep(50);
    expect(out.lines().at(-1)).toBe('progress: read 20.0 MiB · sent 300 · pending 10');
    now = status({ read: 20 * 2 ** 20, sent: 118_209, pending: 1_000, quarantined: 2_500 });
    await sleep(50);
    expect(out.lines().at(-1)).toBe('progress: read 20.0 MiB · sent 118,209 · pending 1,000 · quarantined 2,500');
    // Caught up: nothing more, even when records wait again later (a running reporter's trickle).
    now = status({ read: 21 * 2 ** 20, sent: 310, pending: 0 });
    await sleep(50);
    const said = out.lines().length;
    now = status({ read: 22 * 2 ** 20, sent: 311, pending: 4 });
    await sleep(70);
    expect(out.lines()).toHaveLength(said);
    line.stop();
  });

  it('says nothing for a run that caught up before the first interval', async () => {
    const out = notATerminal();
    const line = new StatusLine(out.stream, () => status({ read: 5, sent: 3 }), 20);
    line.start();
    await sleep(70);
    line.stop();
    expect(out.lines()).toEqual([]);
  });
});

describe('StatusLine on a terminal', () => {
  it('never writes a line as wide as the terminal, however narrow, so a redraw never leaves a wrapped line behind', () => {
    for (const columns of [1, 12, 40, 200]) {
      const stream = new PassThrough() as unknown as NodeJS.WriteStream & PassThrough;
      Object.assign(stream, { isTTY: true, columns });
      const written: string[] = [];
      stream.on('data', (d: Buffer) => written.push(d.toString()));
      const line = new StatusLine(stream, () =>
        status({ read: 74 * 2 ** 20, sent: 2_739, pending: 1_159, lastError: 'HTTP 503 😀 busy', retryAt: Date.now() + 4000 }),
      );
      line.render();
      const text = written.join('').split('\x1b[K').at(-1) as string;
      expect([...text].length, `${columns} columns`).toBeLessThanOrEqual(Math.max(1, columns - 1));
      expect(text.startsWith('read 74.0 MiB'.slice(0, Math.max(1, columns - 1)))).toBe(true);
      // No half of a surrogate pair at the cut.
      expect(text).not.toMatch(/[\ud800-\udbff]$/);
    }
  });
});
