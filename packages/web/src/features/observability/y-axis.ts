/** The y scale and its labels, as every time chart draws them. Pure, tested without a browser. */

/** Nothing above zero (no data, or only zeros) draws against 0..1 of the series' unit. */
const EMPTY_TOP = 1;

/** From 0 to a little above the highest value, so the top line stays in view. */
export function yRange(max: number | null): [number, number] {
  return [0, max !== null && max > 0 ? max * 1.08 : EMPTY_TOP];
}

/**
 * The tick labels. With nothing above zero, only 0 is labelled: the other ticks would be fractions of the
 * series' unit (a quarter of a microdollar reads "<$0.0001" four times over) that no value ever had.
 */
export function yLabels(splits: readonly number[], max: number | null, format: (v: number) => string): string[] {
  const empty = !(max !== null && max > 0);
  return splits.map((v) => (empty && v !== 0 ? '' : format(v)));
}

/** The highest value in the columns, or null without one. */
export function dataMax(columns: readonly ArrayLike<number | null | undefined>[]): number | null {
  let max: number | null = null;
  for (const column of columns) {
    for (let i = 0; i < column.length; i++) {
      const v = column[i];
      if (typeof v === 'number' && (max === null || v > max)) max = v;
    }
  }
  return max;
}
