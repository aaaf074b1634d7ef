import type uPlot from 'uplot';
import { pointValues } from './point-reading.js';

/**
 * A tooltip for the chart under the mouse or read from the keyboard (the other synced charts show only the crosshair): the
 * bucket's time and each visible series' value with its unit; a gap says "no data". Built with DOM
 * text nodes, never innerHTML, because series names (agent ids, models) come from reporters.
 */
export function tooltipPlugin(opts: {
  formatValue: (v: number) => string;
  formatTime: (tMs: number) => string;
  /** A keyboard reading (Shift+arrows) holds the cursor: the tooltip shows for it as for the mouse. */
  reading: () => boolean;
}): uPlot.Plugin {
  let el: HTMLDivElement | undefined;
  let hovering = false;
  return {
    hooks: {
      init: (u) => {
        el = document.createElement('div');
        el.className = 'chart-tooltip';
        el.hidden = true;
        u.over.appendChild(el);
        u.over.addEventListener('mouseenter', () => {
          hovering = true;
        });
        u.over.addEventListener('mouseleave', () => {
          hovering = false;
          if (el) el.hidden = true;
        });
      },
      setCursor: (u) => {
        if (!el) return;
        const idx = u.cursor.idx;
        if (!(hovering || opts.reading()) || idx === null || idx === undefined) {
          el.hidden = true;
          return;
        }
        const rows: Node[] = [];
        const time = document.createElement('div');
        time.className = 'chart-tooltip-time';
        time.textContent = opts.formatTime((u.data[0][idx] as number) * 1000);
        rows.push(time);
        for (const v of pointValues(u, idx, opts.formatValue)) {
          const row = document.createElement('div');
          row.className = 'chart-tooltip-row';
          const swatch = document.createElement('span');
          swatch.className = 'swatch';
          swatch.style.background = v.color;
          const label = document.createElement('span');
          label.className = 'chart-tooltip-label';
          label.textContent = v.label;
          const value = document.createElement('span');
          value.className = 'chart-tooltip-value';
          value.textContent = v.value;
          row.append(swatch, label, value);
          rows.push(row);
        }
        el.replaceChildren(...rows);
        el.hidden = false;
        const left = u.cursor.left ?? 0;
        const top = u.cursor.top ?? 0;
        const screen = { plotLeft: u.over.getBoundingClientRect().left, width: document.documentElement.clientWidth };
        el.style.left = `${tooltipLeft(left, el.offsetWidth, u.over.clientWidth, screen)}px`;
        el.style.top = `${Math.max(0, Math.min(top, u.over.clientHeight - el.offsetHeight))}px`;
      },
    },
  };
}

/** The gap between the cursor and its tooltip, and between a tooltip and the screen's edge, px. */
const TOOLTIP_GAP = 12;
const SCREEN_MARGIN = 8;

/**
 * Where a tooltip `width` px wide goes, as its left in the plot's px, for a cursor at `cursor` in a plot
 * `plotWidth` wide whose left edge is at `screen.plotLeft` on a screen `screen.width` wide: right of the
 * cursor, or left of it past the plot's middle; on the other side when that one runs off the screen; and
 * where neither fits (a phone's plot is narrower than most tooltips), as near the cursor as the screen
 * allows. It was kept to the plot's halves only: at 390 px a tooltip ran up to 50 px off the screen.
 */
export function tooltipLeft(
  cursor: number,
  width: number,
  plotWidth: number,
  screen: { plotLeft: number; width: number },
): number {
  const min = SCREEN_MARGIN - screen.plotLeft;
  const max = screen.width - SCREEN_MARGIN - screen.plotLeft - width;
  const right = cursor + TOOLTIP_GAP;
  const left = cursor - TOOLTIP_GAP - width;
  const sides = cursor > plotWidth / 2 ? [left, right] : [right, left];
  const fits = sides.find((x) => x >= min && x <= max);
  if (fits !== undefined) return fits;
  return Math.max(min, Math.min(max, sides[0] as number));
}
