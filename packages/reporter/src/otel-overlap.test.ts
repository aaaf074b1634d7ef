import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@gasgauge/server/testing';
import { describe, expect, it } from 'vitest';
import { otelOverlaps } from './otel-overlap.js';
import type { ReporterOptions } from './reporter.js';

const SERVER = 'http://127.0.0.1:8787';

/** A home with each CLI's settings where the reporter looks by default, and the options of a reporter reading it. */
function home() {
  const dir = tempDir('gg-otel-overlap-');
  const env = { HOME: dir } as NodeJS.ProcessEnv;
  const write = (path: string, text: string) => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  const opts = (more: Partial<ReporterOptions> = {}): ReporterOptions => ({
    serverUrl: SERVER,
    townId: 't',
    tokenFile: join(dir, 'token'),
    stateDir: join(dir, 'state'),
    ...more,
  });
  return { dir, env, write, opts };
}

const claudeSettings = (endpoint: string, telemetry = '1') =>
  JSON.stringify({
    env: { CLAUDE_CODE_ENABLE_TELEMETRY: telemetry, OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: endpoint },
  });

describe('agent CLIs exporting OpenTelemetry to Gas Gauge while the reporter reads their files', () => {
  it('says so for Claude Code settings that export to this server, and names the file, the endpoint and the flag', () => {
    const h = home();
    h.write('.claude/settings.json', claudeSettings('http://localhost:8787'));
    const [warning, ...rest] = otelOverlaps(h.opts(), h.env);
    expect(rest).toEqual([]);
    expect(warning).toContain(
      `Claude Code is set to export OpenTelemetry to Gas Gauge (${join(h.dir, '.claude/settings.json')}: http://localhost:8787)`,
    );
    expect(warning).toContain('--no-claude');
    // Off with --no-claude; silent when telemetry is off or the endpoint is another collector.
    expect(otelOverlaps(h.opts({ claude: false }), h.env)).toEqual([]);
    h.write('.claude/settings.json', claudeSettings('http://localhost:8787', '0'));
    expect(otelOverlaps(h.opts(), h.env)).toEqual([]);
    h.write('.claude/settings.json', claudeSettings('http://collector.internal:4318'));
    expect(otelOverlaps(h.opts(), h.env)).toEqual([]);
  });

  it('recognises a Gas Gauge key URL on any host, and the environment a CLI started from this shell inherits', () => {
    const h = home();
    const env = {
      ...h.env,
      CLAUDE_CODE_ENABLE_TELEMETRY: '1',
      OTEL_LOGS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'https://gauge.example.com/otlp/ggi_abc/v1/logs',
    };
    const warnings = otelOverlaps(h.opts(), env);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('(environment: https://gauge.example.com/otlp/ggi_abc/v1/logs)');
  });

  it('reads a Codex config.toml [otel] exporter and Gemini CLI telemetry settings', () => {
    const h = home();
    h.write(
      '.codex/config.toml',
      [
        'model = "gpt-5"',
        '[otel]',
        'exporter = { otlp-http = { endpoint = "http://127.0.0.1:8787/v1/logs", protocol = "binary" } }',
      ].join('\n'),
    );
    h.write('.gemini/settings.json', JSON.stringify({ telemetry: { enabled: true, otlpEndpoint: 'http://[::1]:8787' } }));
    const warnings = otelOverlaps(h.opts(), h.env);
    expect(warnings.map((w) => w.split(' is set')[0])).toEqual(['Codex', 'Gemini CLI']);
    expect(warnings[0]).toContain('--no-codex');
    expect(warnings[1]).toContain('--no-gemini');
    // An endpoint outside [otel] is not an exporter; off sources say nothing.
    h.write('.codex/config.toml', '[mcp_servers.x]\nendpoint = "http://127.0.0.1:8787"\n');
    expect(otelOverlaps(h.opts({ gemini: false }), h.env)).toEqual([]);
  });

  it('says nothing for missing, unreadable or malformed settings', () => {
    const h = home();
    h.write('.claude/settings.json', '{not json');
    h.write('.gemini/settings.json', '[]');
    expect(otelOverlaps(h.opts(), h.env)).toEqual([]);
  });
});
