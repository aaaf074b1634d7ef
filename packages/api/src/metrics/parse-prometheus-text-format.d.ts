/** The package ships no types: its result as the Prometheus tests read it (label names are the endpoint's fixed ones). */
declare module 'parse-prometheus-text-format' {
  type LabelName = 'agent' | 'model' | 'type' | 'status' | 'kind';
  interface ParsedFamily {
    name: string;
    help: string;
    type: string;
    metrics: { value: string; labels?: Partial<Record<LabelName, string>> }[];
  }
  export default function parse(text: string): ParsedFamily[];
}
