import { startOidcProvider, type OidcProvider } from '../oidc/oidcProvider';
import { scriptedSignIn } from '../oidc/scriptedSignIn';

export const DEMO_CLIENT = 'kada-demo-admin';

/**
 * The demo's identity provider: the test kit's OIDC provider on plain HTTP at localhost (a browser
 * would not trust the test CA), with a demo operator and a demo reader, and the ADMIN_OIDC_* that
 * point kada at it. The admin page is then opened as http://localhost:<port>/, the redirect URI's host.
 */
export async function startDemoIdentity(port: string): Promise<{ idp: OidcProvider; env: Record<string, string> }> {
  const redirectUri = `http://localhost:${port}/auth/callback`;
  const idp = await startOidcProvider({
    plainHttp: true,
    clients: [{ clientId: DEMO_CLIENT, redirectUris: [redirectUri] }],
    users: {
      'demo-operator': { sub: 'demo-op-1', preferred_username: 'demo-operator@uio.example', roles: ['kada.operate'] },
      'demo-reader': { sub: 'demo-rd-1', preferred_username: 'demo-reader@uio.example', roles: ['kada.read'] },
    },
  });
  const env = {
    ADMIN_OIDC_ISSUER: idp.issuer,
    ADMIN_OIDC_CLIENT_ID: DEMO_CLIENT,
    ADMIN_OIDC_REDIRECT_URI: redirectUri,
  };
  return { idp, env };
}

/** Signs in as the demo operator the way the page does, and queues a rebuild of `personId` with that session. */
export async function rebuildAsDemoOperator(adminUrl: string, personId: string): Promise<string> {
  const s = await scriptedSignIn(adminUrl, 'demo-operator');
  const res = await fetch(`${adminUrl}/api/persons/${encodeURIComponent(personId)}/rebuild`, {
    method: 'POST',
    headers: { cookie: s.cookie, 'x-kada-csrf': s.csrfToken },
  });
  if (res.status !== 202) throw new Error(`the demo operator's rebuild answered ${res.status}`);
  const { jobId } = (await res.json()) as { jobId: string };
  return `signed in as ${s.actor} (${s.roles.join(', ')}) through the test identity provider; rebuild job ${jobId}`;
}
