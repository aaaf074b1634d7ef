import { plural } from '@gasgauge/core';
import { backupDataDir, restoreDataDir } from '../backup.js';
import { type Command, required } from './command.js';

export const backup: Command = {
  usage: 'gasgauge backup --out DIR [--data DIR]',
  summary: 'an online, consistent copy of the control database, every town and the signing key, safe while the server runs',
  help: `  --out DIR   a new or empty directory for the backup (mode 700, files 600)

  Towns are copied first and the control database (accounts, ledger) last, each as one point-in-time
  snapshot; what was acknowledged before the backup began is in it. Restore with gasgauge restore.`,
  options: { out: { type: 'string' } },
  positionals: 0,
  async run(values, _p, out) {
    const dir = required(values, 'out');
    const m = backupDataDir(String(values.data ?? './data'), dir);
    out.result({ out: dir, ...m }, [`Backed up the control database and ${plural(m.towns.length, 'town')} into ${dir}`]);
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
    const m = restoreDataDir(from, data, values.force === true);
    out.result({ from, dataDir: data, ...m }, [
      `Restored ${plural(m.towns.length, 'town')} and the control database into ${data}`,
    ]);
    return 0;
  },
};
