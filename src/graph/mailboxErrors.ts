/**
 * Graph answers that are about one mailbox, not about kada or the request (graph.md, "Errors that
 * are about one mailbox"): the tenant keeps kada out of it, or there is no usable mailbox behind the
 * address. Retrying will not help until someone changes the tenant, so the person's sync fails with a
 * reason an operator can act on, and the next notification or the nightly reconcile tries again.
 * Codes: graph docs auth-limit-mailbox-access (403 outside the access policy); Exchange troubleshooting
 * KB 4462988 "REST API is not yet supported for this mailbox" (404 MailboxNotEnabledForRESTAPI or
 * MailboxNotSupportedForRESTAPI); ErrorInvalidUser / ResourceNotFound for an address that names no user.
 */
export interface MailboxProblem {
  /** Stable code, recorded on the person and in the error log. */
  code: 'MAILBOX_ACCESS_DENIED' | 'MAILBOX_NOT_ENABLED' | 'MAILBOX_UNKNOWN_USER';
  /** Plain language for the admin page and `kada status`; names no person or address. */
  message: string;
}

const PROBLEMS: Record<string, { status: number; problem: MailboxProblem }> = {
  ErrorAccessDenied: {
    status: 403,
    problem: {
      code: 'MAILBOX_ACCESS_DENIED',
      message:
        "Microsoft 365 refused kada access to this person's mailbox (403 ErrorAccessDenied): it is outside the " +
        "tenant's application access policy or RBAC scope for kada. Add the mailbox to that group or scope; " +
        'kada tries again at the next change or the nightly reconcile.',
    },
  },
  MailboxNotEnabledForRESTAPI: {
    status: 404,
    problem: {
      code: 'MAILBOX_NOT_ENABLED',
      message:
        "This person's mailbox cannot be used through Microsoft Graph (404 MailboxNotEnabledForRESTAPI): it is " +
        'inactive, soft-deleted, not licensed for Exchange Online or hosted on-premises.',
    },
  },
  MailboxNotSupportedForRESTAPI: {
    status: 404,
    problem: {
      code: 'MAILBOX_NOT_ENABLED',
      message:
        "This person's mailbox cannot be used through Microsoft Graph (404 MailboxNotSupportedForRESTAPI): it is " +
        'not an Exchange Online mailbox (e.g. hosted on-premises).',
    },
  },
  ErrorInvalidUser: {
    status: 404,
    problem: {
      code: 'MAILBOX_UNKNOWN_USER',
      message:
        'The address FS gives for this person is not a user in Microsoft 365 (404 ErrorInvalidUser): check the ' +
        "person's e-mail in FS or the MAILBOX_FROM setting.",
    },
  },
  ResourceNotFound: {
    status: 404,
    problem: {
      code: 'MAILBOX_UNKNOWN_USER',
      message:
        'The address FS gives for this person is not a user in Microsoft 365 (404 ResourceNotFound): check the ' +
        "person's e-mail in FS or the MAILBOX_FROM setting.",
    },
  },
};

/** The mailbox problem a (sub-)response names, if it names one. */
export function mailboxProblem(status: number, code: string | undefined): MailboxProblem | null {
  const p = code ? PROBLEMS[code] : undefined;
  return p && p.status === status ? p.problem : null;
}

/** The same for an error the Graph client threw (a GraphError has `statusCode` and `code`). */
export function mailboxProblemOf(err: unknown): MailboxProblem | null {
  const e = err as { statusCode?: unknown; code?: unknown } | null;
  if (!e || typeof e.statusCode !== 'number' || typeof e.code !== 'string') return null;
  return mailboxProblem(e.statusCode, e.code);
}
