import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { TIERS } from '@gasgauge/core';

export interface Row {
  name: string;
  value: string;
  target: string;
  /** null: reported for information, no target. */
  pass: boolean | null;
  detail: string;
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
}

export function machine(): Machine {
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) cpu = line.slice(line.indexOf(':') + 1).trim();
  } catch {
    // Not Linux: keep what os.cpus() says.
  }
  return {
    cpu,
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

const status = (r: Row): string => (r.pass === null ? 'info' : r.pass ? 'PASS' : 'FAIL');

/** Plain-text table for the terminal, then each row's details. */
export function textTable(rows: readonly Row[]): string {
  const cells = [['Measurement', 'Result', 'Target', 'Status'], ...rows.map((r) => [r.name, r.value, r.target, status(r)])];
  const widths = [0, 1, 2, 3].map((i) => Math.max(...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: string[]) => c.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ');
  const [head, ...body] = cells as [string[], ...string[][]];
  const table = [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)];
  const details = rows.filter((r) => r.detail).map((r) => `- ${r.name}: ${r.detail}`);
  return [...table, '', ...details].join('\n');
}

const DESCRIPTION = `Each row, as measured by \`bench/\` against the real components: the Hono app from \`createApp\` with a
\`FileTownDirectory\` and \`Control\` as \`serve.ts\` builds them, served by \`@hono/node-server\` on 127.0.0.1, one
SQLite file per town in a temporary directory (deleted afterwards). The HTTP load comes from a separate Node
process (keep-alive \`node:http\` agent, 8 requests in flight unless stated, bounded in count and time), after a warm-up.
The details of the HTTP rows also give the CPU time the server process spent per request or record
(\`process.cpuUsage\`; the load generator is another process), which is steadier than throughput when other work
shares the machine.

- **Usage ingest over HTTP, batch 500**: POST /api/towns/:id/usage with 500 fresh records per request (random
  \`msg_…\` ids, delta mode, 16 agents each mostly on one of 4 models, realistic token counts and costs, event times
  within the last 10 s) into a town that starts empty; records accepted per second.
- **Usage ingest over HTTP, batch 1** and **No-op POST**: the same client posts one fresh record per request to the
  ingest route, and the same body to \`POST /bench/noop\` (a route added beside the app that reads the body with the
  same reader as ingest — every POST handler must — and answers \`{ ok: true }\`); two rounds each, alternated. The ratio row is no-op req/s ÷ ingest req/s, i.e. what
  ingest costs over the bare HTTP + Hono floor.
- **OTLP decode: the costliest hostile body**: in-process (no HTTP), every shape of
  \`packages/api/src/otlp/testing/hostile.ts\` (empty resources, scopes, records, metrics, data points and
  attributes; tiny attributes; deep and wide values; unknown fields, huge varints, groups; one 1 MiB string or
  bytes value; the same in OTLP JSON) at 1 MiB, ½, ¼ and ⅛, decoded as the receiver does (least of 5 runs), against a
  real Claude Code logs export of 1 MiB (the costlier of its protobuf and JSON encodings). The value is the ratio
  of the costliest to the real export; the target keeps one greedy client's body from holding the event loop
  longer than a real export would, by much.
- **Agent events newest first vs oldest first**: in-process (no HTTP), into a fresh town (a real SQLite file) each
  run, 4 requests of 5,000 \`agent\` events of one agent, each naming a bead, once oldest first and once newest first;
  the costliest request of each order (least of 2 runs), and their ratio. A statement run per event whose work grows
  with what the agent sent before (attack 14: every queued bead move read) made newest first cost seconds a request.
- **Timeseries 7 d / 500 points**: one town filled with 7 days of 5 s raw snapshots (120,960 rows) and the rollups of every
  coarser tier (${TIERS.slice(1)
    .map((t) => t.table)
    .join(', ')}) made from exactly those rows, by direct inserts in one transaction. \`town.timeseries({ from: now − 7 d,
  to: now, maxPoints: 500 })\` is called in-process (no HTTP) 200 times; p50 and p95.
- **Naive GROUP BY**: one \`SELECT t / step, SUM(…), AVG(…), MAX(…) FROM snapshots WHERE t BETWEEN ? AND ? GROUP BY 1\`
  over the raw rows with the same step, for comparison with the tiered read.
- **REST over HTTP**: \`GET /api/towns/:id/metrics/timeseries\` for the same range, sequential, with a user API token
  (informational: includes auth, the tRPC caller and JSON encoding).
- **Tick**: 1,000 towns, each its own SQLite file with a few agents, beads and lines-of-code reports; \`town.tick()\` for
  every town, one warm-up round then 5 measured rounds, each 5 s later on the towns' clock; mean wall time per tick.
- **10,000 towns** (\`bench/scale.ts\`, alone with \`npm run bench -- scale\`): one \`FileTownDirectory\` with the
  default LRU of 256 open towns, as \`gasgauge serve\` has it; 10,000 towns each created (from the template file) and
  given one agent event and one lines-of-code report, on tmpfs (\`/dev/shm\`) when there is one (closing a town that
  took writes checkpoints its WAL with fsyncs). *Descriptors and memory*: the bench process's descriptors and RSS
  after that, against before. *Tick*: one \`tick()\` of every town in turn, 5 s later on the towns' clock, so all
  but the last 256 are reopened first (what a host pays when its active towns outnumber its open ones), and one
  more tick of the 256 still open. *Cold open*: \`get(id).throughput()\` of 300 towns closed since their last use,
  on tmpfs and on the bench's temporary directory on disk; this includes closing the least recently used town.
- **Observability page 7 d: navigation → charts drawn** and **drag-zoom redraw**: the whole server as \`gasgauge serve\`
  starts it (\`startServer\`: port 0 on 127.0.0.1, a temporary data dir, no tick scheduler) serving the built web UI
  (\`vite build\` first if \`packages/web/dist\` is older than its sources); one town created through tRPC
  \`towns.create\` with the admin token and filled exactly as for the timeseries rows (7 days of 5 s data, every tier).
  Debian's headless Chromium (\`/usr/bin/chromium\` through playwright-core, fresh profile, 1280×800) signs in through
  /login, then runs \`benchObservabilityPage\` (packages/web/e2e/bench-page.ts) 1 + 10 times, each run one page load and
  one zoom. *Charts drawn*: \`page.goto(/towns/:id/observability?range=7d)\` until the page's own \`charts-drawn\`
  performance mark (every chart drawn with data), timed from navigation start: document, bundle, tRPC
  \`metrics.timeseries\` and uPlot drawing. *Zoom redraw*: a mouse drag over 30% of the first chart's width, timed by
  the page's \`zoom-redraw\` measure from the end of the drag until every chart has redrawn from the data it already has
  (the finer fetch that follows is not included); then Back to the 7-day range. The first run is reported as *cold*
  (first load of that page in the browser, first query of the freshly filled town; the single JS bundle is already in
  the HTTP cache from /login); the status is judged on the median of the 10 warm runs. Without \`/usr/bin/chromium\`
  both rows say “skipped”.
- **reporter: tail Claude transcripts** and **reporter: peak RSS while tailing**
  (packages/reporter/bench/tail-bench.ts): a ~1 GiB Claude Code transcript directory is generated in the bench's
  temporary directory (realistic ~2.5 KB assistant and tool-result lines, streamed copies, subagents, resumed
  sessions; generation time not counted), then a child process tails it once with \`ClaudeSource.poll()\` into a
  fresh outbox store. The child is bundled as the package bundles the CLI (rolldown, parse worker included) and run
  by plain Node, so it measures the reporter as installed (tsx, running the clone's TypeScript, adds ~35 MiB).
  Usage lines/s = lines that carried usage (every streamed copy counts) ÷ wall time of that poll; peak RSS = the
  child's own high-water RSS (VmHWM in \`/proc/self/status\`, including the idle process; not getrusage's maxRSS,
  which on Linux starts from the RSS of the bench process that spawned it). The data is deleted afterwards.
- **Reporter backfill vs ccusage**, **Reporter backfill: peak RSS**, **Reporter second --once** and **Reporter idle**
  (packages/reporter/bench/backfill-bench.ts; alone: \`npx tsx packages/reporter/bench/backfill-bench.ts [MiB] [gasgauge]\`):
  a ~300 MB Claude Code tree generated as for the tail rows but with the density of the tree issue 11 measured
  (291 MB, 123,206 responses): shorter lines, ~2.3 KB of transcript per response, ~136k responses; the installed \`gasgauge\` (the package the CLI start rows
  install) serving on loopback as its own process (\`gasgauge serve\`), a town and an ingest token made with the CLI.
  \`ccusage claude session --offline --json\` (20.0.24, the dev dependency) and \`gasgauge report --once --claude-dir …\`
  (fresh state) run one after the other on the same tree, each under GNU time (\`/usr/bin/time\`: ccusage runs a native
  executable from its Node launcher, whose own CPU counters would miss it); the ratio is the two wall times, the
  reporter's ending when the server has acknowledged every record; the CPU-time row divides their CPU times (and
  adds the server's). Server CPU from \`/proc/PID/stat\`. *Second --once*:
  the same command again on the unchanged tree once the server is idle again (its ticks after the backfill are its
  own work), less the same command on an empty tree with fresh state (process start, state database, server round
  trip). *Idle*: 10,000 one-response transcripts in 100 directories, taken in with
  \`--once\`, then a running \`gasgauge report\` on the same state; after 5 s, its CPU time over 60 s (one full safety
  rescan of the tree falls in that window). *To a server that stores nothing*: the first run's command again with a
  fresh state, delivering to a loopback HTTP server in the bench's process that reads each request and answers
  \`{"accepted":0}\` without storing: the reporter's own time; the first row's time past it is the real server's
  work on the same two cores.
- **Read costs** (bench/read-costs.ts; alone: \`npx tsx bench/read-costs.ts\`, sizes times \`GG_READ_SCALE\`; not part of
  \`npm run bench\`, it prints its own table): in-process (no HTTP), one town on a SQLite file filled through the core
  API as a live server would take it — 1,000,000 usage records over 30 days from 10,000 agents on 200 models across
  100,000 beads, with 100,000 agent and bead events (one bead the parent of 2,000 others and the subject of a third of
  the bead events), ingested in batches of 5,000 with a tick after each, then ticked until bead reads are no longer
  refused for the per-bead totals' backlog. Then the mean of 3 calls (after a warm-up) of every town read the API
  serves — the tick with nothing new, timeseries, breakdown by agent and by model (cost and tokens;
  \`other\` from the rollup tier) and bead stats over 24 h and 30 days, throughput, the totals behind the live snapshot and the Prometheus
  endpoint, agents and events pages, beads.get of the big parent and of an ordinary bead, the first beads.list page,
  runaway rules and episodes, the outbox. Then the control plane's reads for one user owning 1,000 towns with 100,000
  hourly ledger debits over the same 30 days: a towns.list page, the account's town ids, a ledger page at the top
  and past 20,000 entries, the gas tank (balance and burn) and an alerts page. \`bench/towns-list.ts\` times
  towns.list over HTTP after a restart.
- **CLI start, installed package** (bench/start.ts; \`npx tsx bench/start.ts\` runs these rows alone): \`npm run pack\`,
  the tarball installed with npm into a temporary prefix, then its \`gasgauge\` executable run 15 times each for
  \`--version\`, \`--help\` and \`user add NAME\` (opens the control database and writes a user and a token),
  interleaved with bare \`node -e 0\`; wall time from spawn to exit, median, and the process's own CPU time
  (\`process.cpuUsage()\` at exit, through a \`--import\` hook), which varies much less than wall time when other
  work shares the machine. **CLI start, clone with tsx**: the same from the clone's \`packages/server/bin/gasgauge.mjs\`
  (what \`npx gasgauge\` runs), 5 times, for comparison.
- **Worker: …** (bench/worker.ts; \`npm run bench -- worker\` runs these rows alone): \`wrangler dev --local\` (workerd, no
  network) on a free port with a temporary \`--persist-to\`, the Worker as deployed: the API in the Worker isolate, one
  \`TownDO\` per town, one \`ControlDO\`. Batch 500 and batch 1 are the same load-client jobs as the Node rows (a
  warm-up town, then a measured run of 4 s and 3 s on a town of its own); the Node bench server runs the same job
  just before, so each row's detail is a ratio to Node under the same machine load. The 7-day read fills one town on
  each host over HTTP alike (a record a minute for 7 days, 10,080 records, counters only) and times 200 sequential
  REST reads of 7 days at 500 points. wrangler's dev proxy sits in front of workerd, so these rows include a local
  hop that a deployed Worker does not have.`;

/** What one town's Durable Object sustains, and what that means for a fleet; the limits cited are Cloudflare's. */
const WORKERS = `## Cloudflare Workers: one town Durable Object

Every ingest request on the Worker host costs the Worker isolate what it costs Node (body read, JSON, zod, the
ingest credential), one RPC to \`ControlDO\` (the town exists) and one RPC to the town's \`TownDO\`, where group
commit writes the requests that arrived together in one transaction. A town's object is single-threaded: the
*Worker: usage ingest* rows above are what one town took here, in local workerd on this shared 2-core machine, as
a ratio to the Node host in the same run. What that means on Cloudflare, from its published limits:

- **Requests per town.** An object has a soft limit of about 1,000 requests per second
  ([Durable Objects FAQ, "How much work can a single Durable Object do?"](https://developers.cloudflare.com/durable-objects/reference/faq/)).
  Reporters batch (\`gasgauge report\` sends up to 5,000 records a request), so one town takes its agents' usage
  with room to spare: 100 agents reporting once a second are 100 requests/s, 10% of the limit, and at up to
  5,000 records a request the limit is far above the 10¹¹ tokens per hour the core's bounds allow a town anyway.
- **CPU per request.** 30 s by default, up to 5 minutes
  ([Durable Objects limits](https://developers.cloudflare.com/durable-objects/platform/limits/)); a batch-500 ingest
  costs a few milliseconds of CPU (the Node rows give µs per record), a 7-day read one \`rollup_10m\` scan.
- **Storage per town.** 10 GB per object, unlimited objects and storage per account on Workers Paid (same page).
  The tiers are bounded by retention (7 days of 5 s rows, 30 days of 1 min and 10 min rows, 400 days of hours);
  what grows is \`usage_records\` (one row per record id, kept 400 days): at roughly 200 bytes a row, 10 GB is
  about 50 million records in 400 days, some 125,000 a day for a single town. The town storage quota
  (\`MAX_TOWN_MB\`, 9,216 MiB by default) refuses a town's ingest with a 507 before the object's
  own limit would fail its writes (docs/api.md, "Storage quota").
- **SQL limits.** At most 100 bound parameters per statement, 100 KB per statement, 2 MB per string, BLOB or row
  (same page). workerd enforces the 100 parameters locally too, so the workerd tests fail if a core statement
  passes it (\`packages/worker/src/pool/do-sql.test.ts\`); the largest stored value is an event note of 16 KB.
- **The fleet.** Towns scale out: one object each, no shared state but the control plane. The control object is
  the ceiling: every API request makes at least one call to it, so at its ~1,000 requests/s an account serves
  about 5,000 towns that each post every 5 s. Past that the control store is sharded (per organisation; the
  \`ControlStore\` port's methods each name their town or account) — not built yet.
`;

export function markdown(rows: readonly Row[], m: Machine, date: Date, totalSeconds: number): string {
  const esc = (s: string) => s.replaceAll('|', '\\|');
  const table = [
    '| Measurement | Result | Target | Status | Detail |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${esc(r.name)} | ${esc(r.value)} | ${esc(r.target)} | ${status(r)} | ${esc(r.detail)} |`),
  ].join('\n');
  return `# Benchmarks

${DESCRIPTION}

## Last run

- Command: \`npm run bench\`
- Date: ${date.toISOString()}
- Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB RAM, ${m.platform}
- Node: ${m.node}
- Duration: ${totalSeconds.toFixed(0)} s

${table}

Numbers come from a shared machine: the HTTP rows varied by up to 2× between runs while other work was running; the
server CPU per request or record is steadier. Run \`npm run bench\` again to compare.

${WORKERS}`;
}

export function writeMarkdown(file: string, content: string): void {
  writeFileSync(file, content);
}
