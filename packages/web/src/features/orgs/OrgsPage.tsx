import { type FormEvent, useId, useState } from 'react';
import {
  answerInvitation,
  createOrg,
  fetchInvitations,
  fetchMembers,
  fetchOrgs,
  type Org,
  type OrgInvitation,
  type OrgMember,
  type OrgRole,
  removeMember,
  setMember,
} from '../../api/orgs.js';
import { formatStamp } from '../../lib/format.js';
import { restoreInvisible } from '../../lib/invisible.js';
import { type QueryState, useQuery } from '../../lib/use-query.js';
import { OutcomeLine, useAction } from '../../ui/action.js';
import { ConfirmButton } from '../../ui/ConfirmButton.js';
import { LoadError, RefreshError } from '../../ui/LoadError.js';
import { ScrollRegion } from '../../ui/ScrollRegion.js';
import { assignableRoles, mayChangeMember, mayManageMembers, roleText } from './roles.js';
import './orgs.css';

/** Memberships and invitations change when people act, not with time: a slow refresh suffices. */
const REFRESH_MS = 60_000;
/** Members shown at first and added by each "Show more members": orgs.members pages by name. */
const MEMBERS_STEP = 100;

/**
 * Organisations: the caller's pending invitations (accept or decline), the organisations they belong to with
 * their members, and for owners and admins the invite, role and remove controls. The server decides every
 * action (orgs.*); the page only leaves out what the caller's role may not do.
 */
export function OrgsPage({ userName }: { userName: string | undefined }) {
  const orgs = useQuery('orgs', fetchOrgs, { refetchMs: REFRESH_MS });
  const invitations = useQuery('invitations', fetchInvitations, { refetchMs: REFRESH_MS });
  return (
    <>
      <div className="page-head">
        <h1>Organisations</h1>
        <CreateOrg onCreated={orgs.refetch} />
      </div>
      <p className="muted orgs-intro">
        An organisation owns towns and pays for them from its own account (see Billing). Owners and admins invite people by user
        name; someone invited joins only when they accept here.
      </p>
      <Invitations
        state={invitations}
        onAnswered={() => {
          invitations.refetch();
          orgs.refetch();
        }}
      />
      {orgs.error && !orgs.data && <LoadError what="your organisations" error={orgs.error} />}
      {orgs.error && orgs.data && <RefreshError what="your organisations" error={orgs.error} />}
      {orgs.data?.length === 0 && (
        <section className="empty">
          <h2>No organisations yet</h2>
          <p>Create one with the form above, or accept an invitation from one.</p>
        </section>
      )}
      <div className="orgs">
        {orgs.data?.map((o) => (
          <OrgCard key={o.id} org={o} userName={userName} onLeft={orgs.refetch} />
        ))}
      </div>
    </>
  );
}

function CreateOrg({ onCreated }: { onCreated(): void }) {
  const [name, setName] = useState('');
  const { outcome, act } = useAction();
  const id = useId();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void act(async () => {
      const org = await createOrg(name.trim());
      setName('');
      onCreated();
      return `Created ${org.name}; you are its owner.`;
    });
  };
  return (
    <form className="create-org" onSubmit={submit}>
      <label htmlFor={id} className="visually-hidden">
        New organisation name
      </label>
      <input
        id={id}
        value={name}
        onChange={(e) => setName(e.target.value)}
        placeholder="New organisation name"
        maxLength={64}
        required
      />
      <button type="submit" disabled={outcome.kind === 'busy' || name.trim() === ''}>
        Create organisation
      </button>
      <OutcomeLine outcome={outcome} />
    </form>
  );
}

function Invitations({ state, onAnswered }: { state: QueryState<OrgInvitation[]>; onAnswered(): void }) {
  const { outcome, act } = useAction();
  if (state.error && !state.data) return <LoadError what="your invitations" error={state.error} />;
  // The answer to the last invitation stays in view after its list empties.
  if (!state.data?.length) return <OutcomeLine outcome={outcome} />;
  const answer = (inv: OrgInvitation, accept: boolean) =>
    act(async () => {
      await answerInvitation(inv.orgId, accept);
      onAnswered();
      return accept ? `You joined ${inv.orgName} as ${roleText(inv.role)}.` : `You declined ${inv.orgName}'s invitation.`;
    });
  return (
    <section className="card invitations" aria-labelledby="invitations-heading">
      <h2 id="invitations-heading">Invitations</h2>
      {state.error && <RefreshError what="your invitations" error={state.error} />}
      <ul>
        {state.data.map((inv) => (
          <li key={inv.orgId} data-org={inv.orgId}>
            <span>
              <strong>{inv.orgName}</strong> invites you as <strong>{roleText(inv.role)}</strong>
              <span className="muted small"> · {formatStamp(inv.createdAt)}</span>
            </span>
            <span className="invitation-actions">
              <button type="button" disabled={outcome.kind === 'busy'} onClick={() => void answer(inv, true)}>
                Accept
              </button>
              <button type="button" className="ghost" disabled={outcome.kind === 'busy'} onClick={() => void answer(inv, false)}>
                Decline
              </button>
            </span>
          </li>
        ))}
      </ul>
      <OutcomeLine outcome={outcome} />
    </section>
  );
}

function OrgCard({ org, userName, onLeft }: { org: Org; userName: string | undefined; onLeft(): void }) {
  const headingId = useId();
  const [membersShown, setMembersShown] = useState(MEMBERS_STEP);
  const members = useQuery(`members:${org.id}:${membersShown}`, (signal) => fetchMembers(org.id, membersShown, signal), {
    refetchMs: REFRESH_MS,
  });
  const { outcome, act } = useAction();
  const mine = org.role;

  const changeRole = (m: OrgMember, role: OrgRole) =>
    act(async () => {
      await setMember(org.id, restoreInvisible(m.userName), role);
      members.refetch();
      return `${m.userName} is now ${roleText(role)}.`;
    });
  const remove = (m: OrgMember) =>
    act(async () => {
      await removeMember(org.id, restoreInvisible(m.userName));
      if (m.userName === userName) {
        onLeft();
        return `You left ${org.name}.`;
      }
      members.refetch();
      return `Removed ${m.userName}.`;
    });

  return (
    <section className="card org" aria-labelledby={headingId} data-org={org.id}>
      <header className="account-head">
        <h2 id={headingId}>{org.name}</h2>
        <span className="badge">you: {roleText(mine)}</span>
      </header>
      {members.error && !members.data && <LoadError what="the members" error={members.error} />}
      {members.error && members.data && <RefreshError what="the members" error={members.error} />}
      {!members.data && !members.error && <p className="muted">Loading members…</p>}
      {members.data && (
        <ScrollRegion className="table-scroll" label={`Members of ${org.name}`}>
          <table className="data-table members">
            <thead>
              <tr>
                <th scope="col">Member</th>
                <th scope="col">Role</th>
                <th scope="col">Since</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {members.data.members.map((m) => {
                const self = m.userName === userName;
                const editable = !self && mayChangeMember(mine, m.role);
                return (
                  <tr key={m.userId} data-member={m.userName}>
                    <td>
                      {m.userName}
                      {self && <span className="muted small"> (you)</span>}
                    </td>
                    <td>
                      {editable ? (
                        <select
                          aria-label={`Role of ${m.userName}`}
                          value={m.role}
                          disabled={outcome.kind === 'busy'}
                          onChange={(e) => void changeRole(m, e.target.value as OrgRole)}
                        >
                          {assignableRoles(mine).map((r) => (
                            <option key={r} value={r}>
                              {roleText(r)}
                            </option>
                          ))}
                        </select>
                      ) : (
                        roleText(m.role)
                      )}
                    </td>
                    <td className="muted">{formatStamp(m.createdAt)}</td>
                    <td className="member-actions">
                      {(self || editable) && (
                        <ConfirmButton
                          label={self ? 'Leave' : 'Remove'}
                          confirmLabel={self ? `Yes, leave ${org.name}` : `Yes, remove ${m.userName}`}
                          disabled={outcome.kind === 'busy'}
                          onConfirm={() => void remove(m)}
                        />
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </ScrollRegion>
      )}
      {members.data?.more && (
        <button type="button" className="ghost" onClick={() => setMembersShown((n) => n + MEMBERS_STEP)}>
          Show more members
        </button>
      )}
      <OutcomeLine outcome={outcome} />
      {mayManageMembers(mine) && <InviteForm org={org} onInvited={members.refetch} />}
    </section>
  );
}

function InviteForm({ org, onInvited }: { org: Org; onInvited(): void }) {
  const roles = assignableRoles(org.role);
  const [name, setName] = useState('');
  const [role, setRole] = useState<OrgRole>('member');
  const { outcome, act } = useAction();
  const id = useId();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const userName = name.trim();
    void act(async () => {
      const answer = await setMember(org.id, userName, role);
      setName('');
      onInvited();
      // A member's role changed; anyone else was invited, and the answer is the same whether or not the name is a user.
      return 'invited' in answer
        ? `Invited ${userName} as ${roleText(role)}. They join when they accept; a name that is no user here receives nothing.`
        : `${userName} is already a member: their role is now ${roleText(role)}.`;
    });
  };
  return (
    <form className="invite-form" onSubmit={submit} aria-label={`Invite someone to ${org.name}`}>
      <label htmlFor={`${id}-name`}>Invite by user name</label>
      <input id={`${id}-name`} value={name} onChange={(e) => setName(e.target.value)} maxLength={64} required />
      <label htmlFor={`${id}-role`} className="visually-hidden">
        Role
      </label>
      <select id={`${id}-role`} value={role} onChange={(e) => setRole(e.target.value as OrgRole)}>
        {roles.map((r) => (
          <option key={r} value={r}>
            {roleText(r)}
          </option>
        ))}
      </select>
      <button type="submit" disabled={outcome.kind === 'busy' || name.trim() === ''}>
        Invite
      </button>
      <OutcomeLine outcome={outcome} />
    </form>
  );
}
