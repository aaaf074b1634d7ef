export type BreakdownBy = 'agent' | 'model';
export type BreakdownMetric = 'tokens' | 'cost';

/** Two segmented button groups: break down by agent or model, tokens or cost. */
export function BreakdownControls(props: {
  by: BreakdownBy;
  metric: BreakdownMetric;
  onChange(next: { by: BreakdownBy; metric: BreakdownMetric }): void;
}) {
  const { by, metric, onChange } = props;
  return (
    <div className="breakdown-controls">
      <fieldset className="segmented">
        <legend className="visually-hidden">Break down by</legend>
        {(['agent', 'model'] as const).map((b) => (
          <button key={b} type="button" aria-pressed={by === b} onClick={() => onChange({ by: b, metric })}>
            By {b}
          </button>
        ))}
      </fieldset>
      <fieldset className="segmented">
        <legend className="visually-hidden">Measure</legend>
        {(['tokens', 'cost'] as const).map((m) => (
          <button key={m} type="button" aria-pressed={metric === m} onClick={() => onChange({ by, metric: m })}>
            {m === 'tokens' ? 'Tokens' : 'Cost'}
          </button>
        ))}
      </fieldset>
    </div>
  );
}
