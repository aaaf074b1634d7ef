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
        // Keep the box inside the plot: flip to the left of the cursor past the middle.
        const left = u.cursor.left ?? 0;
        const top = u.cursor.top ?? 0;
        const flip = left > u.over.clientWidth / 2;
        el.style.left = flip ? '' : `${left + 12}px`;
        el.style.right = flip ? `${u.over.clientWidth - left + 12}px` : '';
        el.style.top = `${Math.max(0, Math.min(top, u.over.clientHeight - el.offsetHeight))}px`;
      },
    },
  };
}
