import { MAX_SQL_PARAMS, type Sql } from '../sql.js';
import { USAGE_AMOUNTS as AMOUNTS } from './bounds.js';

const COLUMNS = AMOUNTS.map(([, c]) => c);

/**
 * What a cumulative record reached while another signal or path counted its spend (usage-sources.ts), beyond what
 * the record itself counted: the part of its totals that is someone else's. A cumulative series runs on while it is
 * ignored (an OTLP metric of a process whose logs count its spend), and when its sender's logs fall silent for an
 * hour the series takes over: without this it counted its whole total since its process started, spend the logs
 * had counted already (found by attack26: 100 counted by a log, then 160 by the series, showed 260). A record's
 * increase is its totals less what it counted (its usage_records row) less this. One row per such record, not per
 * point; a row's `last_at` never falls behind its record's, so pruning both by the horizon keeps them together.
 * Delta records need none: a delta id counts once, and one ignored is not sent again an hour later but by a retry.
 */
export class UsageBaselines {
  private readonly rows = new Map<string, number[]>();

  /** Reads the baselines of `ids` (one request's cumulative records that name sources): nothing when the town has none. */
  constructor(
    private readonly sql: Sql,
    ids: readonly string[],
  ) {
    if (ids.length === 0 || this.sql.rows('SELECT 1 FROM usage_baselines LIMIT 1').length === 0) return;
    for (let i = 0; i < ids.length; i += MAX_SQL_PARAMS) {
      const chunk = ids.slice(i, i + MAX_SQL_PARAMS);
      const found = this.sql.rows(
        `SELECT id, ${COLUMNS.join(', ')} FROM usage_baselines WHERE id IN (?${', ?'.repeat(chunk.length - 1)})`,
        ...chunk,
      );
      for (const [id, ...amounts] of found) this.rows.set(id as string, amounts as number[]);
    }
  }

  /** The part of record `id`'s totals another signal counted (undefined: none). */
  get(id: string): readonly number[] | undefined {
    return this.rows.get(id);
  }

  /**
   * Record `id` reached `reached` (its totals less what it counted itself) at `at` while ignored: its baseline
   * becomes at least that, amount by amount (an amount that shrank is held at its maximum, as a record's are).
   */
  raise(id: string, reached: readonly number[], at: number): void {
    const old = this.rows.get(id);
    const next = reached.map((v, i) => Math.max(0, v, old?.[i] ?? 0));
    if (old && next.every((v, i) => v === old[i])) {
      this.touch(id, at);
      return;
    }
    // Nothing past what it counted itself: nothing to keep.
    if (!old && next.every((v) => v === 0)) return;
    this.rows.set(id, next);
    this.sql.run(
      `INSERT INTO usage_baselines (id, ${COLUMNS.join(', ')}, last_at) VALUES (?, ${COLUMNS.map(() => '?').join(', ')}, ?)
       ON CONFLICT (id) DO UPDATE SET ${COLUMNS.map((c) => `${c} = excluded.${c}`).join(', ')}, last_at = max(last_at, excluded.last_at)`,
      id,
      ...next,
      at,
    );
  }

  /** Record `id`, which has a baseline, was counted at `at`: the baseline lives as long as the record. */
  touch(id: string, at: number): void {
    if (this.rows.has(id)) this.sql.run('UPDATE usage_baselines SET last_at = max(last_at, ?) WHERE id = ?', at, id);
  }
}
