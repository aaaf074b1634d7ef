export { createApp } from './app.js';
export { IngestVerifier, MAX_INGEST_TTL_SECONDS, mintIngestToken } from './auth/ingest-token.js';
export { createLoginLink, SESSION_COOKIE, safeNextPath, startSession } from './auth/session.js';
export { hashToken, newId, newUserToken } from './auth/user-token.js';
export type { ApiDeps, TownDirectory } from './deps.js';
export { type BodyReader, bodyTooLarge, MAX_BODY_BYTES, readWebBody } from './http/body.js';
export type { LocReportInput, TownEventInput, UsageRecordInput } from './ingest/schemas.js';
export { LiveHub } from './metrics/live-hub.js';
export { type AppRouter, appRouter, createCaller } from './router.js';
