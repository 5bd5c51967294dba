import type { Config } from '../config/config';
import { createTokenProvider, GraphAuthError, type TokenProvider } from '../graph/auth';
import { type CheckLine, errorText, fail, pass } from './check';

/**
 * A Graph token by MSAL client credentials (graph.md "Token"), as kada gets it. The token's `roles`
 * claim, when it can be read, says which application permissions the tenant granted.
 */
export async function checkGraphToken(config: Config): Promise<{ line: CheckLine; tokens: TokenProvider | null }> {
  let tokens: TokenProvider;
  let token: string;
  try {
    tokens = createTokenProvider(config.graph);
    token = await tokens.getToken();
  } catch (err) {
    const transient = err instanceof GraphAuthError && err.transient;
    return {
      tokens: null,
      line: fail(
        'Graph token',
        errorText(err),
        transient
          ? 'the token endpoint is unavailable: try again later; check AZURE_AUTHORITY_HOST'
          : 'check AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (it may have expired) or ' +
              'AZURE_CLIENT_CERTIFICATE_PATH (the certificate must be uploaded to the app registration)',
      ),
    };
  }
  // RBAC for Applications grants its roles in Exchange, not in the token: a token without
  // Calendars.ReadWrite can still be right, and only the --mailbox round trip can tell.
  const roles = rolesOf(token);
  const granted = !roles
    ? ''
    : roles.includes('Calendars.ReadWrite')
      ? `, roles: ${roles.join(', ')}`
      : `, roles: ${roles.join(', ') || 'none'}; Calendars.ReadWrite is not among them, which is right only ` +
        'with RBAC for Applications: run with --mailbox to prove access';
  return { tokens, line: pass('Graph token', `token for client ${config.graph.clientId}${granted}`) };
}

/** The `roles` claim of a JWT access token, or null when the token is not a readable JWT. */
export function rolesOf(token: string): string[] | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { roles?: unknown };
    return Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : null;
  } catch {
    return null;
  }
}
