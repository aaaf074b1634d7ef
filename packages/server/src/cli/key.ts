import { hashToken, mintIngestKey } from '@gasgauge/api';
import { AppError, type Control } from '@gasgauge/core';
import type { DataDir } from '../data-dir.js';
import { agentOption, type Command, dataDirVouch, nameHelp, noSuchTown, required, withControl } from './command.js';

function assertTown(control: Control, townId: string, dataDir: DataDir): void {
  if (!control.town(townId)) throw noSuchTown(townId, dataDir);
}

const when = (ms: number | null) => (ms === null ? 'never' : new Date(ms).toISOString());

export const keyCreate: Command = {
  usage: 'gasgauge key create --town ID --name NAME [--agent ID | --scrape]',
  summary: 'create a long-lived ingest key (ggi_…) for OpenTelemetry exporters, or a Prometheus scrape key (ggp_…); shown once',
  help: `  --town ID     the town the key writes to (or, with --scrape, reads)
${nameHelp('--name NAME', 14, 'a name unique in the town (for key list and key revoke)')}
  --agent ID    write only this agent's data (like an agent-scoped ingest token); 1 to 256 characters
  --scrape      a read-only key for GET /api/towns/ID/metrics/prometheus, refused on every other route`,
  options: { town: { type: 'string' }, name: { type: 'string' }, agent: { type: 'string' }, scrape: { type: 'boolean' } },
  positionals: 0,
  fields: new Map([
    ['name', '--name'],
    ['agentId', '--agent'],
  ]),
  async run(values, _p, out) {
    const townId = required(values, 'town');
    const name = required(values, 'name');
    const agentId = agentOption(values) ?? null;
    const kind = values.scrape === true ? 'scrape' : 'ingest';
    const key = await mintIngestKey(dataDirVouch(values), kind);
    const hash = await hashToken(key);
    const info = withControl(values, (control, dataDir) => {
      assertTown(control, townId, dataDir);
      return control.ingestKeys.create(hash, townId, name, agentId, kind);
    });
    out.result({ key, ...info }, [`Created ${kind} key ${name} for town ${townId}. Key, shown once:`, `  ${key}`]);
    return 0;
  },
};

export const keyList: Command = {
  usage: 'gasgauge key list --town ID',
  summary: "list a town's ingest and scrape keys (name, kind, agent, created, last used)",
  help: '  --town ID  the town whose keys to list (a revoked key is no longer listed)',
  options: { town: { type: 'string' } },
  positionals: 0,
  async run(values, _p, out) {
    const townId = required(values, 'town');
    const keys = withControl(values, (control, dataDir) => {
      assertTown(control, townId, dataDir);
      return control.ingestKeys.list(townId);
    });
    const lines = keys.map(
      (k) =>
        `${k.name}\t${k.kind}\t${k.kind === 'scrape' ? 'reads metrics only' : `agent ${k.agentId ?? '(any)'}`}\tcreated ${when(k.createdAt)}\tlast used ${when(k.lastUsedAt)}`,
    );
    out.result({ keys }, lines.length > 0 ? lines : ['No keys.']);
    return 0;
  },
};

export const keyRevoke: Command = {
  usage: 'gasgauge key revoke --town ID --name NAME',
  summary: 'revoke an ingest or scrape key: a running server refuses it within 30 s (401)',
  help: `  --town ID    the town the key belongs to
  --name NAME  the name it was created with (see key list)`,
  options: { town: { type: 'string' }, name: { type: 'string' } },
  positionals: 0,
  async run(values, _p, out) {
    const townId = required(values, 'town');
    const name = required(values, 'name');
    // Its kind, read before it goes: a scrape key revoked was said to be an "ingest key".
    const kind = withControl(values, (control, dataDir) => {
      assertTown(control, townId, dataDir);
      const known = control.ingestKeys.list(townId).find((k) => k.name === name)?.kind;
      // A mistyped name, or one revoked already: which names there are to revoke (it said only that this one was not).
      if (known === undefined)
        throw new AppError(
          'not_found',
          `this town has no key named "${name}" (revoked keys are no longer listed): gasgauge key list --town ${townId} --data ${dataDir.root} lists its keys`,
          { path: 'name' },
        );
      control.ingestKeys.revoke(townId, name);
      return known;
    });
    out.result({ revoked: true, townId, name, kind }, [`Revoked ${kind} key ${name} of town ${townId}.`]);
    return 0;
  },
};
