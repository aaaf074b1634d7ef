import { plural } from '@gasgauge/core';
import { type BackupResult, backupDataDir, restoreDataDir } from '../backup.js';
import { type Command, required } from './command.js';

export const backup: Command = {
  usage: 'gasgauge backup --out DIR [--data DIR]',
  summary: 'an online, consistent copy of the control database, every town and the signing key, safe while the server runs',
  help: `  --out DIR   a new or empty directory for the backup, outside the data dir (mode 700, files 600)

  Towns are copied first and the control database (accounts, ledger) last, each as one point-in-time
  snapshot; what was acknowledged before the backup began is in it. A town nothing was sent to or
  read from yet has no data to copy: the control database keeps it, and the output names it.
  A backup that fails (a full disk, which it names) keeps nothing in --out; one killed midway leaves
  BACKUP-INCOMPLETE there and no manifest.json: restore refuses it, and the next backup into the same
  --out clears it first. Restore with gasgauge restore.`,
  options: { out: { type: 'string' } },
  positionals: 0,
  async run(values, _p, out) {
    const dir = required(values, 'out');
    const m = backupDataDir(String(values.data ?? './data'), dir);
    const envKey = process.env.GASGAUGE_SECRET !== undefined;
    out.result({ out: dir, ...m, keyFromEnv: envKey }, [
      ...(m.clearedInterrupted ? [`Cleared what an interrupted backup had left in ${dir} first.`] : []),
      `Backed up ${saved(m, envKey)} into ${dir}.`,
      ...withoutData(m, (them) => `so there was nothing of ${them} to save`),
      ...(envKey
        ? [
            'GASGAUGE_SECRET is set: a server started like this signs ingest tokens with it, and a backup never holds it. Keep it with the backup; a server restored without it rejects every ingest token made with it.',
          ]
        : []),
    ]);
    return 0;
  },
};

export const restore: Command = {
  usage: 'gasgauge restore --from DIR [--data DIR] [--force]',
  summary: 'restore a backup into a data dir (empty unless --force; never one a server is running on)',
  help: `  --from DIR  a directory written by gasgauge backup
  --force     replace the databases and key of a data dir that is not empty

  Every file is checked before anything is replaced: a backup that is incomplete, damaged, from a
  newer Gas Gauge or not what gasgauge backup writes (an extra trigger, view or table) is refused
  and the data dir is left as it was.

  Billing stays exactly once: a restored town re-sends its hour totals and the ledger debits only
  what it has not debited before.`,
  options: { from: { type: 'string' }, force: { type: 'boolean' } },
  positionals: 0,
  async run(values, _p, out) {
    const from = required(values, 'from');
    const data = String(values.data ?? './data');
    const m = restoreDataDir(from, data, values.force === true, process.env.GASGAUGE_TEST_CRASH === 'restore-replacing');
    out.result({ from, dataDir: data, ...m }, [
      `Restored ${saved(m, false)} into ${data}.`,
      ...withoutData(m, (them) => `so the backup holds nothing of ${them}`),
    ]);
    return 0;
  },
};

/**
 * "the control database (3 towns, …), the data of 1 of them and the signing key": what a backup holds,
 * counted. With GASGAUGE_SECRET set (`envKey`), secret.key is not the key the server signs with: named as a file.
 */
function saved(m: BackupResult, envKey: boolean): string {
  const all = m.towns.length + m.townsWithoutData.length;
  const parts = [
    `the control database (${plural(all, 'town')}, ${all === 1 ? 'its owner and account' : 'their owners and accounts'})`,
  ];
  if (m.towns.length > 0) {
    const which = m.towns.length < all ? `${m.towns.length} of them` : all === 1 ? 'that town' : `all ${all}`;
    parts.push(`the data of ${which}`);
  }
  if (m.secretKey) parts.push(envKey ? 'secret.key (not the key in use: GASGAUGE_SECRET is set)' : 'the signing key');
  return parts.length === 1 ? (parts[0] as string) : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

/** The towns that had no database, named: "1 of 3" alone reads as two towns lost. */
function withoutData(m: BackupResult, so: (them: string) => string): string[] {
  const n = m.townsWithoutData.length;
  if (n === 0) return [];
  const [noun, verb, them] = n === 1 ? ['Town', 'has', 'it'] : ['Towns', 'have', 'them'];
  return [
    `${noun} ${m.townsWithoutData.join(', ')} ${verb} no data yet (nothing was sent to or read from ${them}), ${so(them)}.`,
  ];
}
