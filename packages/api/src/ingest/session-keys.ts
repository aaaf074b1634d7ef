import type { UsageRecord, UsageSource } from '@gasgauge/core';

/**
 * One agent CLI session can reach a town by two paths: the CLI's own OTLP export (`session.id`; Codex's
 * logs `conversation.id`) and its transcript, read by a reporter and posted over REST with `session`. Both
 * count its usage under the session's key, each as its path (core usage-sources.ts): whichever path
 * counted the session first counts it, so a session reported both ways counts once.
 */
export type SessionPath = 'otlp' | 'rest';

/** A session's key for `path`. A REST `session` is an id (1 to schemas.ts' MAX_ID_CHARS); a longer OTLP `session.id` is not keyed (otlp/points.ts). */
export function sessionSource(session: string, path: SessionPath): UsageSource {
  return { key: `session:${session}`, name: path };
}

/**
 * REST records as core counts them: a `session` becomes the session's key for the REST path (the field
 * itself stays, unread by core). The records are the request's own, just parsed, so each is given its key
 * in place (a copy of every record cost a backfill's server ~2 µs a record), and one key object serves
 * every record of a session.
 */
export function withSessionKeys(records: (UsageRecord & { session?: string | undefined })[]): UsageRecord[] {
  const keys = new Map<string, UsageSource[]>();
  for (const record of records) {
    const session = record.session;
    if (session === undefined) continue;
    let sources = keys.get(session);
    if (!sources) {
      sources = [sessionSource(session, 'rest')];
      keys.set(session, sources);
    }
    record.sources = sources;
  }
  return records;
}
