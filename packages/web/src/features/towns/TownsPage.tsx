import { type FormEvent, useState } from 'react';
import { fetchOrgs } from '../../api/orgs.js';
import { trpc } from '../../api/trpc.js';
import { navigate } from '../../app/router.js';
import { townPath } from '../../app/routes.js';
import type { Theme } from '../../app/theme.js';
import { plural } from '../../lib/format.js';
import { useQuery } from '../../lib/use-query.js';
import { OutcomeLine, useAction } from '../../ui/action.js';
import { ScrollRegion } from '../../ui/ScrollRegion.js';
import { mayManageTowns } from '../orgs/roles.js';
import { TownCard } from './TownCard.js';
import { invalidateTowns, useTowns } from './use-towns.js';
import './towns.css';
import { LoadError } from '../../ui/LoadError.js';

/**
 * Cards shown at first and added by each "Show more towns". Every card reads its sparkline and rate and
 * refreshes them: with all of 1,000 towns shown, one load was 2,000 tRPC calls, and 2,000 more every 30 s.
 */
const TOWN_CARDS_STEP = 48;

export function TownsPage({ theme, userName }: { theme: Theme; userName: string }) {
  const towns = useTowns();
  const [shown, setShown] = useState(TOWN_CARDS_STEP);
  const total = towns.data?.length ?? 0;
  return (
    <>
      <div className="page-head">
        <h1>Towns</h1>
        <CreateTown />
      </div>
      {towns.error && !towns.data && <LoadError what="towns" error={towns.error} />}
      {towns.data?.length === 0 && (
        <section className="empty">
          <h2>No towns yet</h2>
          <p>Create one with the form above, or on the server:</p>
          <ScrollRegion as="pre" className="command" label="Command to create a town">
            <code>npx gasgauge town create "Gas Town" --owner {userName}</code>
          </ScrollRegion>
          <p>
            Then open it for the ingest token command and an example <code>curl</code> that posts usage.
          </p>
        </section>
      )}
      <ul className="town-list">
        {towns.data?.slice(0, shown).map((t) => (
          <TownCard key={t.id} town={t} theme={theme} />
        ))}
      </ul>
      {total > shown && (
        <p className="more-towns">
          <span className="muted">
            {shown} of {plural(total, 'town')}.
          </span>{' '}
          <button type="button" className="ghost" onClick={() => setShown((n) => n + TOWN_CARDS_STEP)}>
            Show more towns
          </button>
        </p>
      )}
    </>
  );
}

/**
 * A tRPC mutation from the page: the cookie authenticates it and the server checks its Origin. The owner is
 * the user, or an organisation in which they may create towns (owners and admins; the server decides).
 */
function CreateTown() {
  const [name, setName] = useState('');
  const [owner, setOwner] = useState('');
  const { outcome, act } = useAction();
  const orgs = useQuery('orgs', fetchOrgs);
  const owners = (orgs.data ?? []).filter((o) => mayManageTowns(o.role));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void act(async () => {
      const town = await trpc.towns.create.mutate({ name: name.trim(), ...(owner ? { organizationId: owner } : {}) });
      invalidateTowns();
      navigate(townPath(town.id));
      return `Created ${town.name}.`;
    });
  };
  return (
    <form className="create-town" onSubmit={submit}>
      <label htmlFor="town-name" className="visually-hidden">
        New town name
      </label>
      <input
        id="town-name"
        value={name}
        onChange={(e) => setName(e.target.value)}
        placeholder="New town name"
        maxLength={64}
        required
      />
      {owners.length > 0 && (
        <>
          <label htmlFor="town-owner" className="visually-hidden">
            Owner of the new town
          </label>
          <select id="town-owner" value={owner} onChange={(e) => setOwner(e.target.value)}>
            <option value="">Personal</option>
            {owners.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </select>
        </>
      )}
      <button type="submit" disabled={outcome.kind === 'busy' || name.trim() === ''}>
        Create town
      </button>
      <OutcomeLine outcome={outcome} />
    </form>
  );
}
