import type { AccessEntry } from '@gasgauge/api';

export const LOG_FORMATS = ['pretty', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** What a JSON message line may carry beside `msg`: the start lines' (`serve --log-format json`). */
export interface MessageFields {
  /** Where the server listens, where browsers reach it, and its data dir. */
  url?: string;
  publicUrl?: string;
  dataDir?: string;
  /** The user a start created (`admin`), and the demo town. */
  user?: string;
  townId?: string;
}

export interface Logger {
  /**
   * A message from the server (a tick failure, a webhook retry); the signature every `log` option takes.
   * `fields` are added to a JSON line (`url` of the start line); a pretty line is the text alone.
   */
  message(text: string, fields?: MessageFields): void;
  /** One request of the access log. */
  access(entry: AccessEntry): void;
}

/**
 * The server's log on stderr: `pretty` for a terminal, `json` (one object per line, `t` in epoch ms)
 * for a log collector. Messages and access entries share the format, so one parser reads both.
 */
export function createLogger(
  format: LogFormat,
  write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  clock: () => number = Date.now,
): Logger {
  if (format === 'json') {
    return {
      message: (text, fields) => write(JSON.stringify({ t: clock(), kind: 'message', msg: text, ...fields })),
      access: (e) => write(JSON.stringify({ t: clock(), kind: 'access', ...e })),
    };
  }
  const stamp = () => new Date(clock()).toISOString();
  return {
    message: (text) => write(`${stamp()} ${text}`),
    access: (e) =>
      write(
        `${stamp()} ${e.method} ${e.route} ${e.status} ${e.durationMs}ms${e.town ? ` town=${e.town}` : ''} req=${e.requestId}`,
      ),
  };
}
