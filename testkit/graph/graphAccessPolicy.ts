import { GraphHttpError } from './graphHttp';

/**
 * An Exchange Online application access policy (graph docs: auth-limit-mailbox-access, "Limiting
 * application permissions to specific Exchange Online mailboxes"; Exchange's New-ApplicationAccessPolicy
 * with `-AccessRight RestrictAccess`): the app reaches only the mailboxes of the policy's group; a
 * request for any other mailbox is refused with 403 `ErrorAccessDenied`, whatever permission the token
 * carries. The message is the one Exchange sends for such a refusal (widely reported, e.g. Microsoft
 * Q&A "Blocked by tenant configured AppOnly AccessPolicy settings"); the docs do not quote it.
 * RBAC for Applications (management scopes) refuses the same way. No policy: every mailbox is reachable.
 */

/** A set of addresses (the policy group's members), or a rule over the address. */
export type AccessPolicyRule = { mailboxes: string[] } | ((mailbox: string) => boolean) | null;

export const ACCESS_POLICY_MESSAGE =
  'Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.';

export class AccessPolicy {
  private allows: ((mailbox: string) => boolean) | null = null;

  constructor(rule: AccessPolicyRule = null) {
    this.set(rule);
  }

  set(rule: AccessPolicyRule): void {
    if (!rule) this.allows = null;
    else if (typeof rule === 'function') this.allows = (m) => rule(m.toLowerCase());
    else {
      const members = new Set(rule.mailboxes.map((m) => m.toLowerCase()));
      this.allows = (m) => members.has(m.toLowerCase());
    }
  }

  /** Throws Exchange's 403 when the mailbox is outside the policy. */
  check(mailbox: string): void {
    if (this.allows && !this.allows(mailbox)) throw new GraphHttpError(403, 'ErrorAccessDenied', ACCESS_POLICY_MESSAGE);
  }
}
