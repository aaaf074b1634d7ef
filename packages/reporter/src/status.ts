import { groupDigits } from './plural.js';
import type { ReporterStatus } from './reporter.js';
import { fitColumns, shown } from './terminal.js';

/** `read 120.4 MiB · sent 1,204 · pending 3 · quarantined 2 · last error: HTTP 503 … (retry in 4 s)` */
export function formatStatus(s: ReporterStatus, now = Date.now()): string {
  const parts = [`sent ${groupDigits(s.sent)}`, `pending ${groupDigits(s.pending)}`];
  // A backfill's progress: without it a first run over gigabytes of transcripts showed "sent 0" for a while.
  if (s.read > 0) parts.unshift(`read ${(s.read / 2 ** 20).toFixed(1)} MiB`);
  if (s.quarantined > 0) parts.push(`quarantined ${groupDigits(s.quarantined)}`);
  if (s.dropped > 0) parts.push(`dropped ${groupDigits(s.dropped)}`);
  if (s.full) parts.push('OUTBOX FULL');
  if (s.lastError) {
    const retry = s.retryAt !== undefined && s.retryAt > now ? ` (retry in ${Math.ceil((s.retryAt - now) / 1000)} s)` : '';
    parts.push(`last error: ${s.lastError}${retry}`);
  }
  return parts.join(' · ');
}

/** Off a terminal, how often a backfill's progress is logged (see StatusLine). */
export const PROGRESS_EVERY_MS = 30_000;

/**
 * One status line on a terminal, rewritten in place (at most 4 times a second); log lines are
 * printed above it. Off a terminal (a service's journal, a cron job's mail) there is no line to rewrite:
 * every `progressEveryMs` a `progress: …` log line says the same while records wait, until the first
 * time the outbox is empty (a backfill caught up; a running reporter's steady trickle is not logged).
 * A backfill of gigabytes said nothing for minutes before.
 */
export class StatusLine {
  private shown = '';
  private timer: NodeJS.Timeout | undefined;
  private lastProgress = '';

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly read: () => ReporterStatus,
    private readonly progressEveryMs = PROGRESS_EVERY_MS,
  ) {}

  get enabled(): boolean {
    return this.stream.isTTY === true;
  }

  start(): void {
    this.timer = this.enabled ? setInterval(() => this.render(), 250) : setInterval(() => this.progress(), this.progressEveryMs);
    this.timer.unref();
  }

  /** Off a terminal: one progress line while records wait and it changed; none again once the outbox emptied. */
  private progress(): void {
    const now = this.read();
    if (now.pending === 0) {
      if (this.timer) clearInterval(this.timer);
      return;
    }
    const text = formatStatus(now);
    if (text === this.lastProgress) return;
    this.lastProgress = text;
    this.log(`progress: ${text}`);
  }

  /**
   * A log line: above the status line on a terminal, plain otherwise. Control characters are spelled out
   * (shown): log lines carry what agents' files hold (a transcript's message id in a quarantine line).
   */
  log(raw: string): void {
    const line = shown(raw);
    if (!this.enabled) {
      this.stream.write(`${line}\n`);
      return;
    }
    this.stream.write(`\r\x1b[K${line}\n`);
    this.shown = '';
    this.render();
  }

  render(): void {
    if (!this.enabled) return;
    const cols = this.stream.columns || 100;
    // Never as wide as the terminal: a line that wraps is two, and `\r\x1b[K` clears only the last, so each redraw
    // left one behind (at least 20 characters were written, filling a 12-column terminal). Cut between code points,
    // counting the columns each takes (a CJK character or an emoji takes two).
    const text = fitColumns(shown(formatStatus(this.read())), Math.max(1, cols - 1));
    if (text === this.shown) return;
    this.shown = text;
    this.stream.write(`\r\x1b[K${text}`);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.enabled && this.shown) this.stream.write('\n');
    this.shown = '';
  }
}
