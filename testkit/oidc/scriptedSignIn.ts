/**
 * Signs in to kada's admin page without a browser: follows the redirects of /auth/login, the test
 * provider's login (as `user`) and /auth/callback by hand, carrying the cookies a browser would.
 * For the demo and API-level tests; the Chromium test does the same with a real browser.
 */
export interface SignedInSession {
  /** The Cookie header to send: `kada_session=...`. */
  cookie: string;
  csrfToken: string;
  actor: string;
  roles: string[];
}

function cookiesOf(res: Response): string[] {
  return res.headers.getSetCookie().map((c) => c.split(';')[0]!);
}

async function step(url: string, cookie = ''): Promise<Response> {
  return fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
}

export async function scriptedSignIn(adminUrl: string, user: string): Promise<SignedInSession> {
  const login = await step(`${adminUrl}/auth/login`);
  const signInCookie = cookiesOf(login).find((c) => c.startsWith('kada_signin='));
  const authorize = login.headers.get('location');
  if (login.status !== 302 || !authorize || !signInCookie) throw new Error(`/auth/login answered ${login.status}`);
  const chosen = new URL(authorize);
  chosen.searchParams.set('test_user', user);
  const consent = await step(chosen.toString());
  const callback = consent.headers.get('location');
  if (consent.status !== 302 || !callback) throw new Error(`the provider answered ${consent.status}`);
  // The issuer sends the browser to the configured redirect URI; the cookie goes to kada whatever its host name.
  const back = new URL(callback);
  const done = await step(`${adminUrl}${back.pathname}${back.search}`, signInCookie);
  const session = cookiesOf(done).find((c) => c.startsWith('kada_session=') && c.length > 'kada_session='.length);
  if (!session) throw new Error(`sign-in failed: ${done.headers.get('location')}`);
  const who = (await (await fetch(`${adminUrl}/auth/session`, { headers: { cookie: session } })).json()) as {
    actor: string;
    roles: string[];
    csrfToken: string;
  };
  return { cookie: session, csrfToken: who.csrfToken, actor: who.actor, roles: who.roles };
}
