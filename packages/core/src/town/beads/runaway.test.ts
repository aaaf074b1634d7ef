import { fileTown, usageRecord } from '@gasgauge/server/testing';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RUNAWAY_RULES, MAX_AGENT_ALERTS_PER_TICK, MAX_RUNAWAY_EPISODES_SHOWN } from './runaway.js';

const T0 = Date.UTC(2026, 10, 3, 10, 0, 0);
const MINUTE = 60_000;

/** An agent on bead gt-1 spending $0.10 a minute for 40 minutes; `writes` reports growing lines as it goes. */
function spendingAgent(writes: boolean) {
  const now = { t: T0 };
  const town = fileTown(now);
  town.setRunawayRules({ ...DEFAULT_RUNAWAY_RULES, spendRate: { ...DEFAULT_RUNAWAY_RULES.spendRate, enabled: false } });
  town.ingestEvents([{ id: 'e1', at: T0, type: 'agent', agentId: 'p1', status: 'working', beadId: 'gt-1' }]);
  town.ingestEvents([{ id: 'e2', at: T0, type: 'bead', beadId: 'gt-1', status: 'in_progress' }]);
  for (let m = 0; m <= 40; m++) {
    now.t = T0 + m * MINUTE;
    town.ingestUsage([usageRecord({ id: `u${m}`, agentId: 'p1', at: now.t, costMicrodollars: 100_000 })]);
    town.ingestLoc([{ agentId: 'p1', additions: writes ? m : 0, deletions: 0 }]);
    town.tick();
  }
  return town;
}

describe('the no-progress rule', () => {
  it('flags an agent that spends on its bead for 30 minutes while nothing changes', () => {
    const town = spendingAgent(false);
    expect(town.runawayEpisodes()).toEqual([{ rule: 'noProgress', subject: 'p1', since: T0 + 30 * MINUTE, level: 1 }]);
    expect(town.agents().agents[0]?.runaway).toEqual({ rule: 'noProgress', since: T0 + 30 * MINUTE });
  });

  it('leaves an agent alone whose lines of code move', () => {
    expect(spendingAgent(true).runawayEpisodes()).toEqual([]);
  });
});

describe('episodes', () => {
  it('shows at most MAX_RUNAWAY_EPISODES_SHOWN, the longest-running, however many agents are flagged', () => {
    const now = { t: T0 };
    const town = fileTown(now);
    const flag = (ids: number[]) => {
      town.ingestUsage(ids.map((i) => usageRecord({ id: `u${i}`, agentId: `a${i}`, at: now.t, costMicrodollars: 6_000_000 })));
      town.tick();
    };
    flag([0]);
    now.t += MINUTE;
    flag(Array.from({ length: MAX_RUNAWAY_EPISODES_SHOWN + 100 }, (_, i) => i + 1));
    // MAX_AGENT_ALERTS_PER_TICK new episodes a tick: the rest come on the next ticks.
    for (let i = 0; i < (MAX_RUNAWAY_EPISODES_SHOWN + 100) / MAX_AGENT_ALERTS_PER_TICK; i++) {
      now.t += MINUTE;
      town.tick();
    }
    const shown = town.runawayEpisodes();
    expect(shown).toHaveLength(MAX_RUNAWAY_EPISODES_SHOWN);
    expect(shown[0]).toEqual({ rule: 'spendRate', subject: 'a0', since: T0, level: 1 });
    // Every flagged agent is still flagged, and stays so on the next tick (the cap is only for showing).
    now.t += MINUTE;
    town.tick();
    const flagged = town.agents({ limit: 500 }).agents.filter((a) => a.runaway !== null);
    expect(flagged).toHaveLength(500);
    expect(town.runawayEpisodes()[0]?.subject).toBe('a0');
  });
});
