import { useRef } from 'react';
import { arcDash, useFitInHollow } from './gauge-fit.js';
import type { GaugeModel } from './gauges.js';

/**
 * One gauge: a half-circle dial (a hand-drawn arc, not a chart library), the value and its unit.
 * The whole card is the ARIA meter, so its accessible name is exactly the gauge's label.
 */
export function Gauge({ model }: { model: GaugeModel }) {
  const { label, value, min, max, tone } = model;
  const numberRef = useRef<HTMLDivElement>(null);
  const dialRef = useRef<SVGSVGElement>(null);
  useFitInHollow(numberRef, dialRef, model.display);
  const fraction = value === null ? 0 : Math.max(0, Math.min(1, (value - min) / (max - min || 1)));
  const aria =
    value === null
      ? { 'aria-valuetext': model.valueText }
      : { 'aria-valuenow': round(value), 'aria-valuemin': min, 'aria-valuemax': max, 'aria-valuetext': model.valueText };
  return (
    // biome-ignore lint/a11y/useSemanticElements: <meter> cannot hold the dial, and with no value it would announce 0; the gas tank must say "balance hidden"
    // biome-ignore lint/a11y/useAriaPropsForRole: aria-valuenow is left out on purpose while the value is unknown (aria-valuetext says so)
    <div className={`gauge tone-${tone}`} role="meter" aria-label={label} {...aria}>
      <div className="gauge-title">
        {label}
        {model.flag && <span className="gauge-flag">{model.flag}</span>}
      </div>
      <svg ref={dialRef} className="gauge-dial" viewBox="0 0 120 64" aria-hidden="true">
        <path className="gauge-track" d="M10 58 A50 50 0 0 1 110 58" pathLength={100} />
        {value !== null && fraction > 0 && (
          <path className="gauge-value" d="M10 58 A50 50 0 0 1 110 58" pathLength={100} strokeDasharray={arcDash(fraction)} />
        )}
      </svg>
      {/* Inside the dial's hollow: a text too wide for it is set smaller so it never runs under the arc (gauge-fit.ts). */}
      <div ref={numberRef} className="gauge-number">
        {model.display}
      </div>
      <div className="gauge-scale">
        <span aria-hidden="true">{model.scale[0]}</span>
        <span className="gauge-unit">{model.unit}</span>
        <span aria-hidden="true">{model.scale[1]}</span>
      </div>
      {/* Always there, two lines high (overview.css): a detail that arrives with the data moves nothing. */}
      <div className="gauge-detail">{model.detail}</div>
    </div>
  );
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
