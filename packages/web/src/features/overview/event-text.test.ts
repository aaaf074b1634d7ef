import { describe, expect, it } from 'vitest';
import { eventText } from './event-text.js';

const e = (over: Record<string, unknown>) => ({
  id: 'e',
  at: 0,
  type: 'agent',
  agentId: null,
  beadId: null,
  status: null,
  body: {},
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
});
