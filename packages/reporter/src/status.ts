import type { ReporterStatus } from './reporter.js';
import { shown } from './terminal.js';

/** `read 120.4 MiB · sent 1204 · pending 3 · quarantined 0 · last error: HTTP 503 … (retry in 4 s)` */
export function formatStatus(s: ReporterStatus, now = Date.now()): string {
  const parts = [`sent ${s.sent}`, `pending ${s.pending}`];
  // A backfill's progress: without it a first run over gigabytes of transcripts showed "sent 0" for a while.
  if (s.read > 0) parts.unshift(`read ${(s.read / 2 ** 20).toFixed(1)} MiB`);
  if (s.quarantined > 0) parts.push(`quarantined ${s.quarantined}`);
  if (s.dropped > 0) parts.push(`dropped ${s.dropped}`);
  if (s.full) parts.push('OUTBOX FULL');
  if (s.lastError) {
    const retry = s.retryAt !== undefined && s.retryAt > now ? ` (retry in ${Math.ceil((s.retryAt - now) / 1000)} s)` : '';
    parts.push(`last error: ${s.lastError}${retry}`);
  }
  return parts.join(' · ');
}

/**
 * One status line on a terminal, rewritten in place (at most 4 times a second); log lines are
 * printed above it. Off a terminal it prints nothing but the log lines.
 */
export class StatusLine {
  private shown = '';
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly read: () => ReporterStatus,
  ) {}

  get enabled(): boolean {
    return this.stream.isTTY === true;
  }

  start(): void {
    if (!this.enabled) return;
    this.timer = setInterval(() => this.render(), 250);
    this.timer.unref();
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
    const text = shown(formatStatus(this.read())).slice(0, Math.max(20, cols - 1));
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
