import { type FormEvent, useId, useState } from 'react';
import { createKey, fetchKeys, type KeyKind, type NewKey, revokeKey, type TownKey } from '../../api/keys.js';
import { isHidden } from '../../api/trpc.js';
import { formatStamp } from '../../lib/format.js';
import { restoreInvisible } from '../../lib/invisible.js';
import { useQuery } from '../../lib/use-query.js';
import { OutcomeLine, useAction } from '../../ui/action.js';
import { ConfirmButton } from '../../ui/ConfirmButton.js';
import { LoadError } from '../../ui/LoadError.js';
import { ScrollRegion } from '../../ui/ScrollRegion.js';
import { keyUsage } from './key-usage.js';
import './keys.css';
import { Name } from '../../ui/Name.js';

const KIND_TEXT: Record<KeyKind, string> = { ingest: 'ingest (ggi_)', scrape: 'Prometheus scrape (ggp_)' };

/**
 * A town's long-lived keys (owners and admins of the town): ingest keys for OpenTelemetry exporters and
 * reporters, scrape keys for Prometheus. A new key is shown once, with how to use it; the server keeps
 * only its hash. Revoking asks for a second click.
 */
export function KeysPanel({ townId }: { townId: string }) {
  const keys = useQuery(`keys:${townId}`, (signal) => fetchKeys(townId, signal));
  const [created, setCreated] = useState<NewKey | null>(null);
  return (
    <section className="town-keys" aria-labelledby="keys-title">
      <h2 id="keys-title">Keys</h2>
      <p className="muted keys-intro">
        Long-lived keys for this town: an <strong>ingest</strong> key lets an OpenTelemetry exporter (Claude Code, Codex, Gemini
        CLI, Gas Town) or a reporter write to it; a <strong>scrape</strong> key lets Prometheus read its metrics and nothing else.
        A key is shown once, when it is made; revoking it refuses its next request.
      </p>
      {keys.error && isHidden(keys.error) ? (
        <p className="muted">Your role may not manage this town’s keys: ask an owner or admin of the town.</p>
      ) : (
        <>
          {created && <CreatedKey townId={townId} created={created} onDone={() => setCreated(null)} />}
          <CreateKey
            townId={townId}
            onCreated={(k) => {
              setCreated(k);
              keys.refetch();
            }}
          />
          {keys.error && !keys.data && <LoadError what="the keys" error={keys.error} />}
          {keys.data ? (
            <section className="card keys-card" aria-label="Keys of this town">
              <KeyTable townId={townId} keys={keys.data} onRevoked={keys.refetch} />
            </section>
          ) : (
            // The card's place while the keys load, so the storage below stays where it is when they arrive.
            !keys.error && (
              <section className="card keys-card" aria-label="Keys of this town" aria-busy="true">
                <p className="muted">Loading keys…</p>
              </section>
            )
          )}
        </>
      )}
    </section>
  );
}

function CreatedKey({ townId, created, onDone }: { townId: string; created: NewKey; onDone(): void }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    await navigator.clipboard?.writeText(created.key);
    setCopied(true);
  };
  return (
    <section className="card new-key" aria-labelledby="new-key-title">
      <h2 id="new-key-title">Key “{created.name}” — copy it now, it is not shown again</h2>
      <div className="new-key-value">
        <code data-key>{created.key}</code>
        <button type="button" onClick={() => void copy()}>
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      <ScrollRegion as="pre" className="command" label="How to use the new key">
        <code>{keyUsage(created.kind, created.key, window.location.origin, townId)}</code>
      </ScrollRegion>
      <button type="button" className="ghost" onClick={onDone}>
        Done
      </button>
    </section>
  );
}

function CreateKey({ townId, onCreated }: { townId: string; onCreated(k: NewKey): void }) {
  const [name, setName] = useState('');
  const [kind, setKind] = useState<KeyKind>('ingest');
  const [agent, setAgent] = useState('');
  const { outcome, act } = useAction();
  const id = useId();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void act(async () => {
      const created = await createKey(townId, name.trim(), kind, kind === 'ingest' ? agent.trim() || undefined : undefined);
      onCreated(created);
      setName('');
      setAgent('');
      return `Created “${created.name}”.`;
    });
  };
  return (
    <form className="create-key" onSubmit={submit} aria-label="Create a key">
      <span className="field">
        <label htmlFor={`${id}-name`}>Name</label>
        <input id={`${id}-name`} value={name} onChange={(e) => setName(e.target.value)} maxLength={64} required />
      </span>
      <span className="field">
        <label htmlFor={`${id}-kind`}>Kind</label>
        <select id={`${id}-kind`} value={kind} onChange={(e) => setKind(e.target.value as KeyKind)}>
          <option value="ingest">{KIND_TEXT.ingest}</option>
          <option value="scrape">{KIND_TEXT.scrape}</option>
        </select>
      </span>
      {kind === 'ingest' && (
        <span className="field">
          <label htmlFor={`${id}-agent`}>Only for agent (optional)</label>
          <input id={`${id}-agent`} value={agent} onChange={(e) => setAgent(e.target.value)} maxLength={256} />
        </span>
      )}
      <button type="submit" disabled={outcome.kind === 'busy' || name.trim() === ''}>
        Create key
      </button>
      <OutcomeLine outcome={outcome} />
    </form>
  );
}

function KeyTable({ townId, keys, onRevoked }: { townId: string; keys: TownKey[]; onRevoked(): void }) {
  const { outcome, act } = useAction();
  // Revoking the last key empties the table: what was done stays in view (and is announced), as for invitations.
  if (keys.length === 0)
    return (
      <>
        <p className="muted">No keys yet.</p>
        <OutcomeLine outcome={outcome} />
      </>
    );
  const revoke = (name: string) =>
    act(async () => {
      // The name as shown, back to the server's (a space it marked, say).
      await revokeKey(townId, restoreInvisible(name));
      onRevoked();
      return `Revoked “${name}”: its next request is refused.`;
    });
  return (
    <>
      <ScrollRegion className="table-scroll" label="Keys">
        <table className="data-table keys">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Kind</th>
              <th scope="col">Agent</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr key={k.name} data-key-name={k.name}>
                <th scope="row">
                  <Name>{k.name}</Name>
                </th>
                <td>{KIND_TEXT[k.kind]}</td>
                <td>
                  {k.agentId ? (
                    <Name>{k.agentId}</Name>
                  ) : (
                    <span className="muted">{k.kind === 'scrape' ? 'none (reads metrics)' : 'any'}</span>
                  )}
                </td>
                <td className="muted">{formatStamp(k.createdAt)}</td>
                <td className="muted">{k.lastUsedAt === null ? 'never' : formatStamp(k.lastUsedAt)}</td>
                <td className="key-actions">
                  <ConfirmButton
                    label="Revoke"
                    confirmLabel={`Yes, revoke ${k.name}`}
                    disabled={outcome.kind === 'busy'}
                    onConfirm={() => void revoke(k.name)}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollRegion>
      <OutcomeLine outcome={outcome} />
    </>
  );
}
