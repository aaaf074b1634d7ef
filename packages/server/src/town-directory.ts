import type { TownDirectory } from '@gasgauge/api';
import { type Clock, Town, type TownOptions } from '@gasgauge/core';
import type { DataDir } from './data-dir.js';
import { type NodeSql, openSqlite } from './sqlite.js';

/** One SQLite file per town, opened on first use and kept open. */
export class FileTownDirectory implements TownDirectory {
  private readonly open = new Map<string, { town: Town; sql: NodeSql }>();

  constructor(
    private readonly dataDir: DataDir,
    private readonly clock: Clock,
    private readonly options: TownOptions = {},
  ) {}

  get(townId: string): Town {
    let entry = this.open.get(townId);
    if (!entry) {
      const sql = openSqlite(this.dataDir.townFile(townId));
      entry = { town: new Town(sql, this.clock, this.options), sql };
      this.open.set(townId, entry);
    }
    return entry.town;
  }

  close(): void {
    for (const { sql } of this.open.values()) sql.close();
    this.open.clear();
  }
}
