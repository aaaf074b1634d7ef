import type uPlot from 'uplot';

/**
 * A tooltip for the chart under the mouse (the other synced charts show only the crosshair): the
 * bucket's time and each visible series' value with its unit; a gap says "no data". Built with DOM
 * text nodes, never innerHTML, because series names (agent ids, models) come from reporters.
 */
export function tooltipPlugin(opts: { formatValue: (v: number) => string; formatTime: (tMs: number) => string }): uPlot.Plugin {
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
        if (!hovering || idx === null || idx === undefined) {
          el.hidden = true;
          return;
        }
        const rows: Node[] = [];
        const time = document.createElement('div');
        time.className = 'chart-tooltip-time';
        time.textContent = opts.formatTime((u.data[0][idx] as number) * 1000);
        rows.push(time);
        u.series.forEach((s, i) => {
          if (i === 0 || !s.show) return;
          const v = u.data[i]?.[idx];
          const row = document.createElement('div');
          row.className = 'chart-tooltip-row';
          const swatch = document.createElement('span');
          swatch.className = 'swatch';
          swatch.style.background = typeof s.stroke === 'function' ? '' : String(s.stroke ?? '');
          const label = document.createElement('span');
          label.className = 'chart-tooltip-label';
          label.textContent = String(s.label ?? '');
          const value = document.createElement('span');
          value.className = 'chart-tooltip-value';
          value.textContent = v === null || v === undefined ? 'no data' : opts.formatValue(v);
          row.append(swatch, label, value);
          rows.push(row);
        });
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
