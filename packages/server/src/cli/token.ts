import { agentOption, type Command, noSuchTown, parseTtl, required, UsageError, withControl } from './command.js';

export const tokenMint: Command = {
  usage: 'gasgauge token mint --town ID [--agent ID] [--ttl 8h]',
  summary: 'mint an ingest token (JWT) for a reporter',
  help: `  --town ID    the town the token writes to
  --agent ID   write only this agent's data (others' records are refused with 403); 1 to 256 characters
  --ttl D      how long the token lasts: 8h, 30m, 90s or seconds (3600); 1s to 8h (default 8h).
               The reporter re-reads its --token-file after a 401, so mint a fresh one before it expires

  The token is signed with GASGAUGE_SECRET when it is set, else with DATA/secret.key: set it here
  exactly as for the server (beside a server running on --data that signs with another key it
  refuses, exit 1).`,
  options: { town: { type: 'string' }, agent: { type: 'string' }, ttl: { type: 'string' } },
  positionals: 0,
  async run(values, _p, out) {
    // Loaded only for this command: jose would add to every other command's start.
    const { MAX_INGEST_TTL_SECONDS, mintIngestToken } = await import('@gasgauge/api/ingest-token');
    const townId = required(values, 'town');
    const ttl = String(values.ttl ?? '8h');
    const ttlSeconds = parseTtl(ttl);
    if (ttlSeconds < 1 || ttlSeconds > MAX_INGEST_TTL_SECONDS)
      throw new UsageError(`--ttl must be between 1s and 8h, not ${JSON.stringify(ttl)}`);
    const agentId = agentOption(values);
    const secret = withControl(values, (control, dataDir) => {
      if (!control.town(townId)) throw noSuchTown(townId, dataDir);
      const mismatch = dataDir.signingKeyMismatch();
      if (mismatch) throw new Error(mismatch);
      return dataDir.secret();
    });
    const minted = await mintIngestToken(secret, { townId, agentId, ttlSeconds, now: Date.now() });
    out.result(minted, [minted.token]);
    return 0;
  },
};
