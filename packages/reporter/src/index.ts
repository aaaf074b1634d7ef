export { AgentMap, type AgentPath, gastownIdentity } from './agents.js';
export { ClaudeDedupe } from './claude/dedupe.js';
export { claudeConfigDirs, transcriptFiles } from './claude/files.js';
export { type ClaudeEntry, parseLine } from './claude/parse.js';
export { PriceList } from './claude/pricing.js';
export { ClaudeSource, type ClaudeStats } from './claude/source.js';
export { type CliIo, type ReportValues, runReportCli } from './cli.js';
export { REPORT_HELP, REPORT_OPTIONS, REPORT_USAGE } from './cli-spec.js';
export { ConfigError, DeliveryError, GitError, isDiskFull, ReporterError, StateError, TokenError } from './errors.js';
export { type GtEvent, mapGastownEvent } from './gastown/events.js';
export { GastownSource } from './gastown/source.js';
export { type Loc, mergeBase, worktreeLoc } from './git/loc.js';
export { LocPoller, type Worktree } from './git/poller.js';
export { TokenSource } from './http/token.js';
export {
  type EventSource,
  type OpencodeOptions,
  type OpencodeStats,
  OpencodeUsage,
  type SdkEvent,
  type SessionAgents,
} from './opencode/events.js';
export { Backoff, parseRetryAfter } from './outbox/backoff.js';
export { MAX_BATCH_BYTES, MAX_BATCH_RECORDS, Sender } from './outbox/sender.js';
export { type OutboxRow, Store } from './outbox/store.js';
export { type OnceResult, Reporter, type ReporterOptions, type ReporterStatus, type Told } from './reporter.js';
export type { LocReport, TownEvent, UsageRecord } from './wire.js';
