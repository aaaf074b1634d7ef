import { describe, expect, it } from 'vitest';
import { assignableRoles, mayChangeMember, mayManageMembers, mayManageTowns, ROLE_ORDER, roleText } from './roles.js';

describe('organisation roles in the page', () => {
  it('offers member management to owners and admins only', () => {
    expect(ROLE_ORDER.filter(mayManageMembers)).toEqual(['owner', 'admin']);
  });

  it('offers creating an organisation town to owners and admins only', () => {
    expect(ROLE_ORDER.filter(mayManageTowns)).toEqual(['owner', 'admin']);
  });

  it('lets only an owner give the owner role', () => {
    expect(assignableRoles('owner')).toEqual(['owner', 'admin', 'member', 'billing_manager']);
    expect(assignableRoles('admin')).toEqual(['admin', 'member', 'billing_manager']);
    expect(assignableRoles('member')).toEqual([]);
    expect(assignableRoles('billing_manager')).toEqual([]);
  });

  it('lets only an owner change or remove an owner', () => {
    expect(mayChangeMember('owner', 'owner')).toBe(true);
    expect(mayChangeMember('admin', 'owner')).toBe(false);
    expect(mayChangeMember('admin', 'member')).toBe(true);
    expect(mayChangeMember('member', 'member')).toBe(false);
  });

  it('writes a role in words', () => {
    expect(roleText('billing_manager')).toBe('billing manager');
  });
});
