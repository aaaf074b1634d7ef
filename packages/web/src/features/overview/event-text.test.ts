import { describe, expect, it } from 'vitest';
import { eventNames, eventText, nameParts } from './event-text.js';

const e = (over: Record<string, unknown>) => ({
  id: 'e',
  at: 0,
  type: 'agent',
  agentId: null,
  beadId: null,
  status: null,
  body: {},
  dataOmitted: false,
  ...over,
});

describe('eventText', () => {
  it('describes agent, bead and note events from their bodies', () => {
    expect(eventText(e({ agentId: 'polecat-1', status: 'working', beadId: 'gt-1' }))).toBe('polecat-1 is working on gt-1');
    expect(
      eventText(
        e({ type: 'bead', beadId: 'gt-1', status: 'in_review', body: { title: 'Fix it', assigneeAgentId: 'polecat-1' } }),
      ),
    ).toBe('gt-1 in review · Fix it (polecat-1)');
    expect(eventText(e({ type: 'note', body: { name: 'mail', data: { from: 'mayor', to: 'polecat-2', subject: 'Hi' } } }))).toBe(
      'mail: mayor → polecat-2: Hi',
    );
    expect(eventText(e({ type: 'note', body: { name: 'deploy' } }))).toBe('deploy');
  });

  it('describes a budget crossing with what was spent of the cap', () => {
    const body = {
      type: 'budget',
      threshold: 0.8,
      period: 'day',
      tz: 'UTC',
      periodStart: 0,
      periodEnd: 86_400_000,
      capMicrodollars: 5_000_000,
      spentMicrodollars: 4_000_000,
    };
    expect(eventText(e({ type: 'budget', status: '80%', body }))).toBe('Budget 80 % reached: $4.00 of $5.00 per day');
    expect(
      eventText(
        e({ type: 'budget', status: '100%', body: { ...body, threshold: 1, period: 'month', spentMicrodollars: 5_012_345 } }),
      ),
    ).toBe('Budget 100 % reached: $5.01 of $5.00 per month');
    // A body without the figures still says which threshold.
    expect(eventText(e({ type: 'budget', status: '100%', body: { type: 'budget' } }))).toBe('Budget 100 % reached');
    expect(eventText(e({ type: 'budget', body: null }))).toBe('Budget threshold reached');
  });

  it("describes what a runaway rule flagged, from the tick's event body", () => {
    const spend = {
      rule: 'spendRate',
      agentId: 'polecat-1',
      costMicrodollars: 6_200_000,
      limitMicrodollars: 5_000_000,
      windowMinutes: 10,
    };
    expect(eventText(e({ type: 'runaway', agentId: 'polecat-1', status: 'spendRate', body: spend }))).toBe(
      'Runaway: polecat-1 spent $6.20 in 10 min (limit $5.00)',
    );
    // The event names the flagged agent's bead, so the feed links it.
    expect(eventText(e({ type: 'runaway', agentId: 'polecat-1', beadId: 'gt-4', status: 'spendRate', body: spend }))).toBe(
      'Runaway: polecat-1 spent $6.20 in 10 min (limit $5.00), working on gt-4',
    );
    const idle = { rule: 'noProgress', agentId: 'polecat-2', costMicrodollars: 1_500_000, minutes: 30, beadId: 'gt-7' };
    expect(eventText(e({ type: 'runaway', body: idle }))).toBe(
      'Runaway: polecat-2 spent $1.50 in 30 min without progress on gt-7',
    );
    const budget = { rule: 'beadBudget', beadId: 'gt-9', percent: 80, capMicrodollars: 10_000_000, costMicrodollars: 8_100_000 };
    expect(eventText(e({ type: 'runaway', beadId: 'gt-9', body: budget }))).toBe(
      'Bead budget: gt-9 reached 80 % of $10.00 ($8.10)',
    );
    expect(eventText(e({ type: 'runaway', agentId: 'crew-1', status: 'spendRate', body: {} }))).toBe(
      'Runaway: spendRate flagged crew-1',
    );
  });
});

describe('nameParts', () => {
  it('cuts a line at each name it mentions, the longest first where two start at one place', () => {
    expect(nameParts('gt-1-agent is working on gt-1', ['gt-1', 'gt-1-agent'])).toEqual([
      { text: 'gt-1-agent', name: true },
      { text: ' is working on ', name: false },
      { text: 'gt-1', name: true },
    ]);
    expect(nameParts('وكيل is idle', ['وكيل'])).toEqual([
      { text: 'وكيل', name: true },
      { text: ' is idle', name: false },
    ]);
    expect(nameParts('deploy', [])).toEqual([{ text: 'deploy', name: false }]);
    expect(nameParts('a → a: a', ['a', ''])).toEqual([
      { text: 'a', name: true },
      { text: ' → ', name: false },
      { text: 'a', name: true },
      { text: ': ', name: false },
      { text: 'a', name: true },
    ]);
  });

  it("takes the names from the event and its body, a note's mail with its subject", () => {
    expect(
      eventNames(e({ type: 'bead', beadId: 'gt-1', body: { title: 'Fix it', assigneeAgentId: 'polecat-1', data: {} } })),
    ).toEqual(['gt-1', 'Fix it', 'polecat-1']);
    expect(eventNames(e({ type: 'note', body: { name: 'mail', data: { from: 'mayor', to: 'p-2', subject: 'Hi' } } }))).toEqual([
      'mail',
      'mayor',
      'p-2',
      'Hi',
    ]);
  });
});
