import type { FeedEvent } from '../../api/metrics.js';
import { type BudgetDetails, budgetCrossingText, type RunawayDetails, runawayText } from '../billing/billing-text.js';

/** The stored event body (what the reporter sent), read by fixed field names only: names in it are data. */
type EventBody = BudgetDetails & RunawayDetails & Partial<Record<'title' | 'assigneeAgentId' | 'name' | 'data', unknown>>;

/** One line of the event feed, from the stored event body (what the reporter sent). */
export function eventText(e: FeedEvent): string {
  const body = (e.body ?? {}) as EventBody;
  const str = (k: 'title' | 'assigneeAgentId' | 'name') => (typeof body[k] === 'string' ? (body[k] as string) : undefined);
  switch (e.type) {
    case 'agent':
      return `${e.agentId ?? 'an agent'} is ${e.status ?? 'reporting'}${e.beadId ? ` on ${e.beadId}` : ''}`;
    case 'bead': {
      const title = str('title');
      const who = str('assigneeAgentId');
      return `${e.beadId ?? 'a bead'} ${(e.status ?? 'updated').replace('_', ' ')}${title ? ` · ${title}` : ''}${who ? ` (${who})` : ''}`;
    }
    case 'note': {
      const data = (body.data ?? {}) as Partial<Record<'from' | 'to' | 'subject', unknown>>;
      const parts = [data.from, data.to, data.subject].filter((v): v is string => typeof v === 'string');
      const name = str('name') ?? 'note';
      return parts.length === 3 ? `${name}: ${parts[0]} → ${parts[1]}: ${parts[2]}` : name;
    }
    case 'budget': {
      // Recorded by the town's tick when spend crosses 80 % or 100 % of its cap; the body holds the crossing.
      const pct = e.status?.match(/^(\d+)\s*%$/)?.[1];
      return budgetCrossingText(body) ?? (pct ? `Budget ${pct} % reached` : 'Budget threshold reached');
    }
    case 'runaway': {
      // Recorded by the town's tick when a runaway rule flags an agent (the event names its bead) or a bead.
      const text = runawayText(body) ?? `Runaway: ${e.status ?? 'a rule'} flagged ${e.agentId ?? e.beadId ?? 'something'}`;
      return e.beadId && !text.includes(e.beadId) ? `${text}, working on ${e.beadId}` : text;
    }
    default:
      return e.type;
  }
}
