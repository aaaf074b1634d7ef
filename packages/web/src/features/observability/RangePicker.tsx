import { type FormEvent, useState } from 'react';
import { formatTime } from '../../lib/format.js';
import {
  fromLocalInput,
  MIN_SPAN_MS,
  PRESETS,
  type PresetKey,
  type RangeSpec,
  rangeAnnouncement,
  toLocalInput,
} from '../../lib/range.js';

interface Props {
  spec: RangeSpec;
  from: number;
  to: number;
  autoRefresh: boolean;
  onAutoRefresh(on: boolean): void;
  onChange(spec: RangeSpec): void;
}

/** Presets, a custom range, auto-refresh. Buttons and a form: everything works from the keyboard. */
export function RangePicker({ spec, from, to, autoRefresh, onAutoRefresh, onChange }: Props) {
  const [custom, setCustom] = useState<{ from: string; to: string } | null>(null);
  const [error, setError] = useState<string | null>(null);

  const apply = (e: FormEvent) => {
    e.preventDefault();
    if (!custom) return;
    const a = fromLocalInput(custom.from);
    const b = fromLocalInput(custom.to);
    if (a === undefined || b === undefined) return setError('Enter both times.');
    if (b - a < MIN_SPAN_MS) return setError('The end must be at least 30 s after the start.');
    setError(null);
    setCustom(null);
    onChange({ kind: 'absolute', from: a, to: b });
  };

  return (
    <div className="range-picker">
      <fieldset className="segmented">
        <legend className="visually-hidden">Time range</legend>
        {PRESETS.map((p) => (
          <button
            key={p.key}
            type="button"
            aria-pressed={spec.kind === 'preset' && spec.preset === p.key}
            onClick={() => onChange({ kind: 'preset', preset: p.key as PresetKey })}
          >
            {p.label}
          </button>
        ))}
        <button
          type="button"
          // Pressed for a custom range in use; the open form (no range picked yet) is only expanded.
          aria-pressed={spec.kind === 'absolute'}
          aria-expanded={custom !== null}
          onClick={() => setCustom(custom ? null : { from: toLocalInput(from), to: toLocalInput(to) })}
        >
          Custom
        </button>
      </fieldset>
      <label
        className="toggle"
        title={spec.kind === 'absolute' ? 'A zoomed or custom range is fixed; pick a preset to follow now' : ''}
      >
        <input
          type="checkbox"
          checked={autoRefresh && spec.kind === 'preset'}
          disabled={spec.kind === 'absolute'}
          onChange={(e) => onAutoRefresh(e.target.checked)}
        />
        Auto-refresh
      </label>
      <span className="range-text muted">
        {formatTime(from, to - from < 86_400_000 ? 1000 : 3_600_000)} –{' '}
        {formatTime(to, to - from < 86_400_000 ? 1000 : 3_600_000)}
      </span>
      {/* Announced when the range picked changes (a preset, a custom range, a zoom), never on an auto-refresh. */}
      <span className="visually-hidden" aria-live="polite">
        {rangeAnnouncement(spec)}
      </span>
      {custom && (
        <form className="custom-range" onSubmit={apply}>
          <label>
            From
            <input
              type="datetime-local"
              value={custom.from}
              onChange={(e) => setCustom({ ...custom, from: e.target.value })}
              required
            />
          </label>
          <label>
            To
            <input
              type="datetime-local"
              value={custom.to}
              onChange={(e) => setCustom({ ...custom, to: e.target.value })}
              required
            />
          </label>
          <button type="submit">Apply</button>
          {error && (
            <span role="alert" className="error-text">
              {error}
            </span>
          )}
        </form>
      )}
    </div>
  );
}
