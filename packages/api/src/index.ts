export { createApp } from './app.js';
export {
  lookupHash,
  mintSecret,
  sameBytes,
  secretVouch,
  TAGGED_BODY_CHARS,
  VOUCH_KEY_LABEL,
  VOUCH_TAG_BYTES,
} from './auth/credential-vouch.js';
export { INGEST_KEY_PREFIX, KEY_CACHE_TTL_MS, mintIngestKey, newIngestKey, SCRAPE_KEY_PREFIX } from './auth/ingest-key.js';
export { IngestVerifier, MAX_INGEST_TTL_SECONDS, mintIngestToken } from './auth/ingest-token.js';
export { createLoginLink, LINK_PREFIX, SESSION_COOKIE, SESSION_PREFIX, safeNextPath, startSession } from './auth/session.js';
export { hashToken, newId, newUserToken, SECRET_RANDOM_BYTES, USER_TOKEN_PREFIX, untaggedSecret } from './auth/user-token.js';
export { type AlertPayload, RefusedTarget, WebhookDelivery, type WebhookOptions } from './billing/webhooks.js';
export type { ApiDeps } from './deps.js';
export { type AccessEntry, newRequestId, REQUEST_ID_HEADER } from './http/access-log.js';
export {
  BodyBudget,
  type BodyReader,
  bodyBudget,
  bodyTooLarge,
  concatBytes,
  INGEST_TOWN,
  MAX_BODY_BYTES,
  MAX_BODY_BYTES_IN_FLIGHT,
  readWebBody,
} from './http/body.js';
export { toErrorResponse } from './http/errors.js';
export type { Readiness } from './http/health.js';
export { decodeUtf8 } from './http/utf8.js';
export { pagePath, WEB_HTML_HEADERS } from './http/web-ui.js';
export type { LocReportInput, TownEventInput, UsageRecordInput } from './ingest/schemas.js';
export { LIVE_STREAM_MAX_MS, LiveHub, MAX_LIVE_PER_USER_ALL_TOWNS } from './metrics/live-hub.js';
export { releasedAtEnd, StreamsPerUser } from './metrics/streams-per-user.js';
export {
  ChangeBuckets,
  type ChangeBudget,
  changeBudgetOf,
  DEFAULT_CHANGE_BUDGET_BURST,
  DEFAULT_CHANGE_BUDGET_PER_MINUTE,
  MAX_CHANGE_BUDGET_BURST,
  MAX_CHANGE_BUDGET_PER_MINUTE,
} from './ports/change-budget.js';
export type { ControlStore } from './ports/control.js';
export type { CredentialVouch } from './ports/credential-vouch.js';
export type { LiveBus } from './ports/live-bus.js';
export { LocalControlStore } from './ports/local-control.js';
export { LocalTowns } from './ports/local-towns.js';
export {
  AnswerTimeBuckets,
  DEFAULT_READ_BUDGET_BURST_MS,
  DEFAULT_READ_BUDGET_MS_PER_S,
  MAX_BUDGET_PRINCIPALS,
  MAX_TOWN_CALLS_UNDER_WAY,
  ReadBuckets,
  type ReadBucketsOptions,
} from './ports/read-buckets.js';
export { chargedHandle, type ReadBudget, townPrincipal, userPrincipal } from './ports/read-budget.js';
export type { TownDirectory, TownHandle } from './ports/town.js';
export { type AppRouter, appRouter, createCaller } from './router.js';
export { type TickDeps, type TickFaults, tickTown } from './tick/after-tick.js';
