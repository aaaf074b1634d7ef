import { dirname, join } from 'node:path';
import { claudeConfigDirs } from './claude/files.js';
import { codexHomes } from './codex/files.js';
import { geminiDataDirs } from './gemini/files.js';
import type { ReporterOptions } from './reporter.js';
import { readSmallFile } from './small-file.js';

/**
 * Agent CLIs set to export OpenTelemetry to Gas Gauge while this reporter reads the same CLI's files. The
 * server counts a session once when both paths name it (the reporter sends each record's session; docs/api.md,
 * "one session, two paths"), but an export that names none (Claude Code's metrics with
 * OTEL_METRICS_INCLUDE_SESSION_ID=false, Codex's metrics without its logs) still counts the same spend twice;
 * the README says to use one path per CLI, and this says so where the mistake is made. Only
 */
export function otelOverlaps(opts: ReporterOptions, env: NodeJS.ProcessEnv = process.env): string[] {
  const found: string[] = [];
  const say = (cli: string, files: string, flag: string, where: string, endpoint: string) =>
    found.push(
      `${cli} is set to export OpenTelemetry to Gas Gauge (${where}: ${endpoint}), and this reporter reads its ${files} too: ` +
        `spend the export sends without a session id would count twice. Run with ${flag}, or turn that export off.`,
    );
  if (opts.claude !== false) {
    const fromEnv = claudeEndpoint((name) => env[name]);
    if (fromEnv && isGasGauge(fromEnv, opts.serverUrl)) say('Claude Code', 'transcripts', '--no-claude', 'environment', fromEnv);
    for (const dir of claudeConfigDirs(opts.claudeDirs ?? [], env)) {
      const file = join(dir, 'settings.json');
      const set = (readJson(file) as { env?: unknown } | undefined)?.env;
      if (typeof set !== 'object' || set === null) continue;
      // The settings' env block over this process's environment, as Claude Code applies it.
      const vars = new Map<string, unknown>(Object.entries(set));
      const endpoint = claudeEndpoint((name) => {
        const v = vars.get(name);
        return typeof v === 'string' ? v : env[name];
      });
      if (endpoint && endpoint !== fromEnv && isGasGauge(endpoint, opts.serverUrl))
        say('Claude Code', 'transcripts', '--no-claude', file, endpoint);
    }
  }
  if (opts.codex !== false) {
    for (const home of codexHomes(opts.codexHomes ?? [], env)) {
      const file = join(home, 'config.toml');
      const endpoint = codexEndpoints(readText(file)).find((e) => isGasGauge(e, opts.serverUrl));
      if (endpoint) say('Codex', 'rollout files', '--no-codex', file, endpoint);
    }
  }
  if (opts.gemini !== false) {
    const files = new Set(geminiDataDirs(opts.geminiDirs ?? [], env).map((dir) => join(dirname(dir), 'settings.json')));
    for (const file of files) {
      const telemetry = (readJson(file) as { telemetry?: { enabled?: unknown; otlpEndpoint?: unknown } } | undefined)?.telemetry;
      const endpoint = typeof telemetry?.otlpEndpoint === 'string' ? telemetry.otlpEndpoint : undefined;
      if (telemetry?.enabled === true && endpoint && isGasGauge(endpoint, opts.serverUrl))
        say('Gemini CLI', 'chats', '--no-gemini', file, endpoint);
    }
  }
  return found;
}

/** Claude Code exports when telemetry is on and an exporter is `otlp`: the endpoint its metrics or logs go to. */
function claudeEndpoint(get: (name: string) => string | undefined): string | undefined {
  const on = get('CLAUDE_CODE_ENABLE_TELEMETRY');
  if (on !== '1' && on !== 'true') return undefined;
  const otlp = (name: string) => (get(name) ?? '').split(',').some((e) => e.trim() === 'otlp');
  if (otlp('OTEL_METRICS_EXPORTER'))
    return get('OTEL_EXPORTER_OTLP_METRICS_ENDPOINT') || get('OTEL_EXPORTER_OTLP_ENDPOINT') || undefined;
  if (otlp('OTEL_LOGS_EXPORTER'))
    return get('OTEL_EXPORTER_OTLP_LOGS_ENDPOINT') || get('OTEL_EXPORTER_OTLP_ENDPOINT') || undefined;
  return undefined;
}

/** The `endpoint = "…"` values inside `[otel…]` tables of a Codex `config.toml` (its exporter settings). */
function codexEndpoints(toml: string | undefined): string[] {
  if (toml === undefined) return [];
  const endpoints: string[] = [];
  let inOtel = false;
  for (const raw of toml.split('\n')) {
    const line = raw.trim();
    const table = /^\[\s*([^\]]+?)\s*\]$/.exec(line);
    if (table) inOtel = table[1] === 'otel' || table[1]?.startsWith('otel.') === true;
    else if (inOtel) for (const m of line.matchAll(/endpoint\s*=\s*"([^"]+)"/g)) if (m[1]) endpoints.push(m[1]);
  }
  return endpoints;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** An OTLP endpoint on the reporter's own server (loopback names alike), or a Gas Gauge key URL anywhere. */
function isGasGauge(endpoint: string, serverUrl: string): boolean {
  let e: URL;
  let s: URL;
  try {
    e = new URL(endpoint);
    s = new URL(serverUrl);
  } catch {
    return false;
  }
  if (e.pathname.includes('/otlp/ggi_')) return true;
  const host = (u: URL) => (LOOPBACK.has(u.hostname) ? 'loopback' : u.hostname);
  return e.protocol === s.protocol && host(e) === host(s) && e.port === s.port;
}

function readText(file: string): string | undefined {
  try {
    return readSmallFile(file, 1024 * 1024);
  } catch {
    return undefined; // no such file, or unreadable: nothing to say
  }
}

function readJson(file: string): unknown {
  const text = readText(file);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
