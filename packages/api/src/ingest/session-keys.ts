import type { UsageRecord, UsageSource } from '@gasgauge/core';

/**
 * One agent CLI session can reach a town by two paths: the CLI's own OTLP export (`session.id`; Codex's
 * logs `conversation.id`) and its transcript, read by a reporter and posted over REST with `session`. Both
 * count its usage under the session's key, each as its path (core usage-sources.ts): whichever path
 * counted the session first counts it, so a session reported both ways counts once.
 */
export type SessionPath = 'otlp' | 'rest';

/** The longest session id keyed (the bound of every id); a longer OTLP `session.id` is not keyed. */
export const MAX_SESSION_CHARS = 256;

export function sessionSource(session: string, path: SessionPath): UsageSource {
  return { key: `session:${session}`, name: path };
}

/** REST records as core counts them: a `session` becomes the session's key for the REST path. */
export function withSessionKeys(records: readonly (UsageRecord & { session?: string | undefined })[]): UsageRecord[] {
  return records.map(({ session, ...record }) =>
    session === undefined ? record : { ...record, sources: [sessionSource(session, 'rest')] },
  );
}
