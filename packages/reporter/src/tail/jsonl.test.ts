import { execFileSync } from 'node:child_process';
import { appendFileSync, closeSync, openSync, renameSync, rmSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from '../testing/server.js';
import { type FileState, fileState, MARK_SPAN, readLines, resumeFrom, resumeOffset, SKIP_SCAN_BYTES } from './jsonl.js';

function wholeObject(text: string): boolean {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}

describe('readLines', () => {
  const dir = tempDir('gg-jsonl-');
  afterAll(() => removeDir(dir));

  it('reads complete lines in bounded batches and leaves a partial last line for later', () => {
    const f = join(dir, 'a.jsonl');
    writeFileSync(f, 'one\ntwo\nthr');
    const b = readLines(f, 0, { batchBytes: 5 });
    expect(b).toEqual({ lines: ['one'], end: 4, skipped: 0, oversized: 0, caughtUp: false, mark: expect.any(Uint8Array) });
    expect(readLines(f, 4)).toEqual({
      lines: ['two'],
      end: 8,
      skipped: 0,
      oversized: 0,
      caughtUp: false,
      mark: expect.any(Uint8Array),
    }); // 'thr' follows
    expect(readLines(f, 8)).toBeUndefined();
    appendFileSync(f, 'ee\n');
    expect(readLines(f, 8)?.lines).toEqual(['three']);
  });

  it('reads a last line without its newline once it is a whole JSON object (as ccusage does), and waits on anything else', () => {
    const f = join(dir, 'tail.jsonl');
    writeFileSync(f, '{"a":1}\n{"b":2}');
    expect(readLines(f, 0)).toEqual({
      lines: ['{"a":1}', '{"b":2}'],
      end: 15,
      skipped: 0,
      oversized: 0,
      caughtUp: true,
      mark: expect.any(Uint8Array),
    });
    // The writer's newline, then the next line: read from where the object ended.
    appendFileSync(f, '\n{"c":3}\n');
    expect(readLines(f, 15)).toEqual({
      lines: ['{"c":3}'],
      end: 24,
      skipped: 0,
      oversized: 0,
      caughtUp: true,
      mark: expect.any(Uint8Array),
    });
    for (const partial of ['{"d":', '{"d":{"e":1}', '[1]', '{"d":1}x', '"{}"']) {
      writeFileSync(f, `{"a":1}\n${partial}`);
      expect([partial, readLines(f, 0)?.lines]).toEqual([partial, ['{"a":1}']]);
    }
    // After a longer read through the shared buffer, a short file's last line is still just its own bytes.
    const long = join(dir, 'long.jsonl');
    writeFileSync(long, `${'x'.repeat(500)}\n`.repeat(50));
    expect(readLines(long, 0)?.lines).toHaveLength(50);
    writeFileSync(f, '{"z":26}');
    expect(readLines(f, 0)).toEqual({
      lines: ['{"z":26}'],
      end: 8,
      skipped: 0,
      oversized: 0,
      caughtUp: true,
      mark: expect.any(Uint8Array),
    });
  });

  it('says a batch is caught up exactly when it ends at the end of the file, where a next read finds nothing', () => {
    const f = join(dir, 'caught-up.jsonl');
    const line = fc.oneof(fc.constantFrom('{"a":1}', '{"b":[2]}', 'x'.repeat(40), ''), fc.string({ maxLength: 20 }));
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 8 }),
        fc.boolean(),
        fc.integer({ min: 4, max: 64 }),
        (lines, newline, batchBytes) => {
          const text = lines.join('\n') + (newline && lines.length > 0 ? '\n' : '');
          writeFileSync(f, text);
          const size = Buffer.byteLength(text);
          for (let offset = 0; ; ) {
            const batch = readLines(f, offset, { batchBytes, maxLineBytes: 32 });
            if (!batch) break;
            expect(batch.caughtUp).toBe(batch.end === size);
            if (batch.caughtUp) expect(readLines(f, batch.end, { batchBytes, maxLineBytes: 32 })).toBeUndefined();
            offset = batch.end;
          }
        },
      ),
    );
  });

  it('reads nothing from a FIFO or a device where a transcript was listed, without waiting for a writer', () => {
    // A plain open of a FIFO blocks until a writer comes: this test would hang, not fail, without the fix.
    const fifo = join(dir, 'swapped.jsonl');
    execFileSync('mkfifo', [fifo]);
    expect(readLines(fifo, 0)).toBeUndefined();
    expect(readLines('/dev/zero', 0)).toBeUndefined();
  });

  it('grows the buffer for a line longer than a batch, and skips one longer than the limit', () => {
    const f = join(dir, 'b.jsonl');
    const long = 'x'.repeat(10_000);
    writeFileSync(f, `${long}\nok\n${'y'.repeat(50_000)}\nafter\n`);
    const first = readLines(f, 0, { batchBytes: 1024, maxLineBytes: 20_000 });
    // The buffer doubled until it held a newline: every complete line in it comes back.
    expect(first?.lines).toEqual([long, 'ok']);
    const second = readLines(f, first?.end ?? 0, { batchBytes: 1024, maxLineBytes: 20_000 });
    expect(second).toMatchObject({ lines: [], oversized: 1 });
    expect(readLines(f, second?.end ?? 0)?.lines).toEqual(['after']);
  });

  it('looks for the end of an oversized line still being written only in what was appended since', () => {
    const f = join(dir, 'growing.jsonl');
    const opts = { batchBytes: 1024, maxLineBytes: 20_000 };
    writeFileSync(f, `ok\n${'z'.repeat(50_000)}`);
    const first = readLines(f, 0, opts);
    expect(first).toMatchObject({ lines: ['ok'], end: 3 });
    expect(readLines(f, 3, opts)).toBeUndefined(); // no newline yet: scanned to the end once
    // A newline written in place inside the scanned part is not seen: that part is not read again.
    const fd = openSync(f, 'r+');
    writeSync(fd, '\n', 3 + 30_000);
    closeSync(fd);
    appendFileSync(f, 'z'.repeat(1000));
    expect(readLines(f, 3, opts)).toBeUndefined();
    appendFileSync(f, 'zz\nafter\n');
    const skipped = readLines(f, 3, opts);
    expect(skipped).toMatchObject({ lines: [], oversized: 1, end: 3 + 50_000 + 1000 + 3 });
    expect(readLines(f, skipped?.end ?? 0, opts)?.lines).toEqual(['after']);
  });

  it(`looks through at most ${SKIP_SCAN_BYTES / 2 ** 20} MiB of an oversized line per call, counts it once, and reads on after it`, () => {
    const f = join(dir, 'sparse.jsonl');
    const opts = { batchBytes: 1024, maxLineBytes: 20_000 };
    // A line of 2.5 times the bound, a hole (no disk used), between two lines.
    const after = 8 + Math.floor(2.5 * SKIP_SCAN_BYTES);
    writeFileSync(f, '{"a":1}\n');
    const fd = openSync(f, 'r+');
    writeSync(fd, '\n{"b":2}\n', after);
    closeSync(fd);
    const lines: string[] = [];
    let oversized = 0;
    const ends: number[] = [];
    for (let offset = 0, b = readLines(f, 0, opts); b; b = readLines(f, offset, opts)) {
      expect(b.end - offset).toBeLessThanOrEqual(SKIP_SCAN_BYTES + 2 * opts.maxLineBytes);
      lines.push(...b.lines);
      oversized += b.oversized;
      ends.push(b.end);
      offset = b.end;
    }
    expect(lines).toEqual(['{"a":1}', '{"b":2}']);
    expect(oversized).toBe(1);
    expect(ends.length).toBeGreaterThanOrEqual(4); // the first line, three steps through the long one, the last line
    expect(ends.at(-1)).toBe(after + 9);
  });

  it('marks a cursor that a batch left inside an oversized line: the file rewritten past it is read from its start', () => {
    const f = join(dir, 'sparse-mark.jsonl');
    const opts = { batchBytes: 1024, maxLineBytes: 20_000 };
    writeFileSync(f, '{"a":1}\n');
    let fd = openSync(f, 'r+');
    writeSync(fd, '\n', 8 + Math.floor(1.5 * SKIP_SCAN_BYTES)); // a hole of 1.5 times the bound: a line no call looks through
    closeSync(fd);
    const first = readLines(f, 0, opts);
    const inside = readLines(f, first?.end ?? 0, opts);
    expect(inside).toMatchObject({ lines: [], oversized: 1, caughtUp: false });
    expect(inside?.end).toBeLessThan(8 + Math.floor(1.5 * SKIP_SCAN_BYTES)); // inside the line
    const cursor = { ino: (fileState(f) as FileState).ino, offset: inside?.end ?? 0, mark: inside?.mark };
    expect(cursor.mark).toBeDefined();
    expect(resumeOffset(cursor, fileState(f) as FileState, f)).toBe(cursor.offset);
    // Truncated in place and written past the cursor: other bytes before it.
    truncateSync(f, 0);
    fd = openSync(f, 'r+');
    writeSync(fd, `${'{"z":9}\n'.repeat(16)}`, cursor.offset - 128);
    closeSync(fd);
    expect(resumeOffset(cursor, fileState(f) as FileState, f)).toBe(0);
  });

  it('decodes only the lines that hold the marker, counting the others', () => {
    const f = join(dir, 'c.jsonl');
    writeFileSync(f, 'a "usage":{1}\nb\nc\nd "usage":{2}\né\n');
    expect(readLines(f, 0, { markers: [Buffer.from('"usage":{')] })).toMatchObject({
      lines: ['a "usage":{1}', 'd "usage":{2}'],
      skipped: 3,
    });
  });

  it('with several markers, keeps a line that holds any of them, wherever they fall', () => {
    const f = join(dir, 'm.jsonl');
    const lines = ['x "A" y', 'none', '"B" and "A"', 'AB', '"B"', '', 'tail "A"'];
    writeFileSync(f, `${lines.join('\n')}\n`);
    const markers = ['"A"', '"B"'].map((m) => Buffer.from(m));
    expect(readLines(f, 0, { markers })).toMatchObject({ lines: ['x "A" y', '"B" and "A"', '"B"', 'tail "A"'], skipped: 2 });
  });

  it('returns exactly the complete lines holding any marker, for any lines, markers and batch size', () => {
    const f = join(dir, 'prop.jsonl');
    // Small alphabets, so that markers occur, overlap, span neighbours and repeat within lines.
    const text = fc.string({ unit: fc.constantFrom('a', 'b', '"', '{', 'é'), maxLength: 12 });
    fc.assert(
      fc.property(
        fc.array(text, { maxLength: 30 }),
        fc.array(
          text.filter((m) => m !== ''),
          { minLength: 1, maxLength: 3 },
        ),
        fc.integer({ min: 1, max: 64 }),
        fc.option(fc.oneof(text, fc.constantFrom('{}', '{"a":"b"}', ' {"é":{}} ', '{"a":')), { nil: undefined }),
        (lines, markers, batchBytes, tail) => {
          writeFileSync(f, lines.map((l) => `${l}\n`).join('') + (tail ?? ''));
          const got: string[] = [];
          let skipped = 0;
          for (let offset = 0; ; ) {
            const b = readLines(f, offset, { batchBytes, markers: markers.map((m) => Buffer.from(m)) });
            if (!b) break;
            got.push(...b.lines);
            skipped += b.skipped;
            offset = b.end;
          }
          // A last line without its newline is a line when it is one whole JSON object.
          const nonEmpty = [...lines, ...(tail !== undefined && wholeObject(tail) ? [tail] : [])].filter((l) => l !== '');
          const want = nonEmpty.filter((l) => markers.some((m) => l.includes(m)));
          expect(got).toEqual(want);
          expect(skipped).toBe(nonEmpty.length - want.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('starts over when the file was replaced or truncated', () => {
    const f = join(dir, 'd.jsonl');
    writeFileSync(f, 'x\n');
    const st = fileState(f);
    if (!st) throw new Error('no file');
    expect(resumeOffset({ ino: st.ino, offset: 2 }, st, f)).toBe(2);
    expect(resumeOffset({ ino: st.ino + 1, offset: 2 }, st, f)).toBe(0);
    expect(resumeOffset({ ino: st.ino, offset: 99 }, st, f)).toBe(0);
    expect(resumeOffset(undefined, st, f)).toBe(0);
    expect(fileState(join(dir, 'missing'))).toBeUndefined();
  });

  it('resumeFrom saves a start over at once, so a file truncated and then grown past the old offset is read from its start', () => {
    const f = join(dir, 'e.jsonl');
    writeFileSync(f, 'one\ntwo\n');
    const saved = new Map<string, { ino: number; offset: number }>();
    const cursors = {
      cursor: (source: string, path: string) => saved.get(`${source}\n${path}`),
      setCursor: (source: string, path: string, ino: number, offset: number) => saved.set(`${source}\n${path}`, { ino, offset }),
    };
    const st = () => fileState(f) as FileState;
    expect(resumeFrom(cursors, 's', f, st())).toBe(0);
    expect(saved.size).toBe(0); // nothing saved yet: nothing to start over from
    cursors.setCursor('s', f, st().ino, 8);
    expect(resumeFrom(cursors, 's', f, st())).toBe(8);
    writeFileSync(f, ''); // truncated in place (the same inode)
    expect(resumeFrom(cursors, 's', f, st())).toBe(0);
    writeFileSync(f, 'three\nfour\n'); // grown past 8 before its next line was read
    expect(resumeFrom(cursors, 's', f, st())).toBe(0);
  });

  it('starts over when the bytes before the cursor are no longer its mark: a file truncated in place and written past it', () => {
    const f = join(dir, 'm.jsonl');
    writeFileSync(f, `${'{"a":1}\n'.repeat(20)}{"b":2}\n`);
    const batch = readLines(f, 0);
    if (!batch?.mark) throw new Error('no mark');
    // The length of the line before the cursor, then its digest.
    expect(Buffer.from(batch.mark).readUInt32BE(0)).toBe(8);
    const cursor = { ino: (fileState(f) as FileState).ino, offset: batch.end, mark: batch.mark };
    appendFileSync(f, '{"c":3}\n'); // grown: the mark holds
    expect(resumeOffset(cursor, fileState(f) as FileState, f)).toBe(batch.end);
    truncateSync(f, 0);
    writeFileSync(f, `${'{"z":9}\n'.repeat(40)}`); // the same inode, past the cursor, another line before it
    expect((fileState(f) as FileState).ino).toBe(cursor.ino);
    expect(resumeOffset(cursor, fileState(f) as FileState, f)).toBe(0);
    // A cursor saved before marks were kept (none) is trusted as before.
    expect(resumeOffset({ ino: cursor.ino, offset: batch.end }, fileState(f) as FileState, f)).toBe(batch.end);
    // Lines of one length that share both ends, and differ in the middle; and the last MARK_SPAN of a longer line.
    const long = (mid: string, pad: number) => `{"a":"${'x'.repeat(pad)}","id":"${mid}","b":"${'y'.repeat(pad)}"}\n`;
    for (const pad of [300, MARK_SPAN]) {
      writeFileSync(f, long('1', pad));
      const mark = readLines(f, 0)?.mark;
      expect(Buffer.from(mark ?? []).readUInt32BE(0)).toBe(Math.min(long('1', pad).length, MARK_SPAN));
      const at = { ino: (fileState(f) as FileState).ino, offset: long('1', pad).length, mark };
      writeFileSync(f, `${long('1', pad)}{"more":1}\n`);
      expect(resumeOffset(at, fileState(f) as FileState, f)).toBe(at.offset);
      writeFileSync(f, `${long('2', pad)}{"more":1}\n`);
      // The longer line differs before its last MARK_SPAN: not told apart (resumed past it).
      expect(resumeOffset(at, fileState(f) as FileState, f)).toBe(pad === 300 ? 0 : at.offset);
    }
    // A mark that is not one (a damaged state): started over, which is safe.
    writeFileSync(f, '{"a":1}\n{"b":2}\n');
    expect(resumeOffset({ ino: cursor.ino, offset: 8, mark: new Uint8Array([1, 2]) }, fileState(f) as FileState, f)).toBe(0);
    // A path that cannot be read now (a FIFO swapped in for a while; mode 000 does the same, but not for root): the
    // cursor is kept, not thrown away for a read of the whole file once it can be read again.
    const kept = { ino: cursor.ino, offset: 8, mark: readLines(f, 0, { batchBytes: 8 })?.mark };
    const st = fileState(f) as FileState;
    expect(resumeOffset(kept, st, f)).toBe(8);
    renameSync(f, `${f}.aside`);
    execFileSync('mkfifo', [f]);
    expect(resumeOffset(kept, st, f)).toBe(8);
    rmSync(f);
    renameSync(`${f}.aside`, f);
  });

  it('keeps the cursor when the bytes before it cannot be read now (not known to differ): no start over, no second send', () => {
    const f = join(dir, 'u.jsonl');
    writeFileSync(f, '{"a":1}\n{"b":2}\n');
    const batch = readLines(f, 0);
    const cursor = { ino: (fileState(f) as FileState).ino, offset: batch?.end ?? 0, mark: batch?.mark };
    appendFileSync(f, '{"c":3}\n');
    const st = fileState(f) as FileState;
    // Stat'd, then not to be opened when the mark is read (moved away meanwhile; as root, mode 000 cannot be had here).
    renameSync(f, `${f}.away`);
    expect(resumeOffset(cursor, st, f)).toBe(16);
    const cursors = { cursor: () => cursor, setCursor: () => expect.fail('the cursor was moved') };
    expect(resumeFrom(cursors, 's', f, st)).toBe(16);
    renameSync(`${f}.away`, f);
    expect(resumeOffset(cursor, st, f)).toBe(16);
  });
});
