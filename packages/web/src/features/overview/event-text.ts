import type { FeedEvent } from '../../api/metrics.js';
import { type BudgetDetails, budgetCrossingText, type RunawayDetails, runawayText } from '../billing/billing-text.js';

/** The stored event body (what the reporter sent), read by fixed field names only: names in it are data. */
type EventBody = BudgetDetails & RunawayDetails & Partial<Record<'title' | 'assigneeAgentId' | 'name' | 'data', unknown>>;

/** The body's text fields the feed shows, each a string or absent (anything else in a body is not shown). */
interface BodyFields {
  body: EventBody;
  title?: string | undefined;
  assignee?: string | undefined;
  name?: string | undefined;
  agentId?: string | undefined;
  beadId?: string | undefined;
  /** A note's mail: `data.from`, `data.to`, `data.subject`. */
  from?: string | undefined;
  to?: string | undefined;
  subject?: string | undefined;
}

/** The one reader of an event's body, for its line (eventText) and the names in it (eventNames). */
function bodyFields(e: FeedEvent): BodyFields {
  const body = (e.body ?? {}) as EventBody;
  const data = (typeof body.data === 'object' && body.data !== null ? body.data : {}) as Partial<
    Record<'from' | 'to' | 'subject', unknown>
  >;
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  return {
    body,
    title: str(body.title),
    assignee: str(body.assigneeAgentId),
    name: str(body.name),
    agentId: str(body.agentId),
    beadId: str(body.beadId),
    from: str(data.from),
    to: str(data.to),
    subject: str(data.subject),
  };
}

/** One line of the event feed, from the stored event body (what the reporter sent). */
export function eventText(e: FeedEvent): string {
  const f = bodyFields(e);
  switch (e.type) {
    case 'agent':
      return `${e.agentId ?? 'an agent'} is ${e.status ?? 'reporting'}${e.beadId ? ` on ${e.beadId}` : ''}`;
    case 'bead':
      return `${e.beadId ?? 'a bead'} ${(e.status ?? 'updated').replace('_', ' ')}${f.title ? ` · ${f.title}` : ''}${f.assignee ? ` (${f.assignee})` : ''}`;
    case 'note': {
      const name = f.name ?? 'note';
      return f.from && f.to && f.subject ? `${name}: ${f.from} → ${f.to}: ${f.subject}` : name;
    }
    case 'budget': {
      // Recorded by the town's tick when spend crosses 80 % or 100 % of its cap; the body holds the crossing.
      const pct = e.status?.match(/^(\d+)\s*%$/)?.[1];
      return budgetCrossingText(f.body) ?? (pct ? `Budget ${pct} % reached` : 'Budget threshold reached');
    }
    case 'runaway': {
      // Recorded by the town's tick when a runaway rule flags an agent (the event names its bead) or a bead.
      const text = runawayText(f.body) ?? `Runaway: ${e.status ?? 'a rule'} flagged ${e.agentId ?? e.beadId ?? 'something'}`;
      return e.beadId && !text.includes(e.beadId) ? `${text}, working on ${e.beadId}` : text;
    }
    default:
      return e.type;
  }
}

/**
 * The names an event's line may show (agents, beads, a title, a note's name and mail), as the reporter
 * sent them: the feed sets each apart from the line's English (nameParts), so a right-to-left one reads
 * in its own direction and leaves the line's words in theirs.
 */
export function eventNames(e: FeedEvent): string[] {
  const f = bodyFields(e);
  const values = [e.agentId, e.beadId, f.title, f.assignee, f.name, f.agentId, f.beadId, f.from, f.to];
  if (e.type === 'note') values.push(f.subject);
  return values.filter((v): v is string => typeof v === 'string' && v !== '');
}

/** A piece of a line: its own words, or a name (nameParts). */
export interface LinePart {
  text: string;
  name: boolean;
}

/**
 * `text` cut at each mention of one of `names`, left to right, the longest name first where two start at
 * one place; what lies between is the line's own words.
 */
export function nameParts(text: string, names: readonly string[]): LinePart[] {
  const longestFirst = [...new Set(names)].filter((n) => n !== '').sort((a, b) => b.length - a.length);
  const parts: LinePart[] = [];
  let from = 0;
  while (from < text.length) {
    let at = -1;
    let name = '';
    for (const n of longestFirst) {
      const i = text.indexOf(n, from);
      if (i >= 0 && (at < 0 || i < at)) {
        at = i;
        name = n;
      }
    }
    if (at < 0) break;
    if (at > from) parts.push({ text: text.slice(from, at), name: false });
    parts.push({ text: name, name: true });
    from = at + name.length;
  }
  if (from < text.length) parts.push({ text: text.slice(from), name: false });
  return parts;
}
