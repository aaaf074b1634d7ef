import { type FormEvent, useState } from 'react';
import { errorMessage, trpc } from '../../api/trpc.js';
import { navigate } from '../../app/router.js';
import { townPath } from '../../app/routes.js';
import type { Theme } from '../../app/theme.js';
import { ScrollRegion } from '../../ui/ScrollRegion.js';
import { TownCard } from './TownCard.js';
import { invalidateTowns, useTowns } from './use-towns.js';
import './towns.css';
import { LoadError } from '../../ui/LoadError.js';

export function TownsPage({ theme, userName }: { theme: Theme; userName: string }) {
  const towns = useTowns();
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
        {towns.data?.map((t) => (
          <TownCard key={t.id} town={t} theme={theme} />
        ))}
      </ul>
    </>
  );
}

/** A tRPC mutation from the page: the cookie authenticates it and the server checks its Origin. */
function CreateTown() {
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      const town = await trpc.towns.create.mutate({ name: name.trim() });
      invalidateTowns();
      navigate(townPath(town.id));
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
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
      <button type="submit" disabled={busy || name.trim() === ''}>
        Create town
      </button>
      {error && (
        <span role="alert" className="error-text">
          {error}
        </span>
      )}
    </form>
  );
}
