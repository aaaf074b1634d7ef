/** OpenMetrics 1.0 text exposition: metric families to text, label values escaped. */

export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

/** One sample: label name-value pairs (names are ours, values may be anyone's strings) and an integer value. */
export interface Sample {
  labels: readonly (readonly [name: string, value: string])[];
  value: number;
}

export interface MetricFamily {
  /** The family name; a counter's samples are named `<name>_total`. With a unit, the name ends in `_<unit>`. */
  name: string;
  type: 'counter' | 'gauge';
  unit?: string;
  help: string;
  samples: readonly Sample[];
}

/** Backslash, double quote and line feed are the only characters OpenMetrics escapes in label values. */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (ch) => (ch === '\\' ? '\\\\' : ch === '"' ? '\\"' : '\\n'));
}

/** HELP text escapes backslash and line feed. */
function escapeHelp(text: string): string {
  return text.replace(/[\\\n]/g, (ch) => (ch === '\\' ? '\\\\' : '\\n'));
}

/** The exposition, `# EOF` last. */
export function formatOpenMetrics(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const f of families) {
    if (f.unit !== undefined && !f.name.endsWith(`_${f.unit}`)) throw new Error(`${f.name} must end in _${f.unit}`);
    lines.push(`# TYPE ${f.name} ${f.type}`);
    if (f.unit !== undefined) lines.push(`# UNIT ${f.name} ${f.unit}`);
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`);
    const sampleName = f.type === 'counter' ? `${f.name}_total` : f.name;
    for (const s of f.samples) {
      const labels = s.labels.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',');
      lines.push(`${sampleName}${labels === '' ? '' : `{${labels}}`} ${s.value}`);
    }
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}
