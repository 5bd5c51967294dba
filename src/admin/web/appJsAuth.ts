/**
 * How the admin page's script proves who it is (src/admin/web/appJs.ts splices it into its closure, which
 * provides $, text and TOKEN_KEY). Two ways: the session cookie from signing in at the issuer (kada's
 * server holds it; the script only sends the CSRF token on requests other than GET), or a pasted
 * ADMIN_TOKEN kept in this tab's sessionStorage. safety.js reads window.kadaAuth and waits for the
 * "kada:auth" event. Same rules as app.js: no backticks or "${".
 */
export const appJsAuth = String.raw`  // ---- who is signed in ----
  var auth = { mode: 'none', csrf: '', operate: false, signIn: false, tokenPaste: false };

  function token() { return sessionStorage.getItem(TOKEN_KEY) || ''; }
  function signedIn() { return auth.mode !== 'none'; }
  function authHeaders(method) {
    var h = { Accept: 'application/json' };
    if (auth.mode === 'session') { if (method !== 'GET') h['X-Kada-Csrf'] = auth.csrf; }
    else if (auth.mode === 'token') h.Authorization = 'Bearer ' + token();
    return h;
  }
  window.kadaAuth = { headers: authHeaders, signedIn: signedIn };

  function roleName(roles) {
    if (roles.indexOf('kada.operate') >= 0) return 'operator';
    return roles.indexOf('kada.read') >= 0 ? 'reader' : 'no kada role';
  }

  function showAuth() {
    var session = auth.mode === 'session';
    $('session').hidden = !session;
    if (session) text('who', 'Signed in as ' + auth.actor + ' (' + roleName(auth.roles) + ')');
    $('sign-in').hidden = session || !auth.signIn;
    $('token-form').hidden = session || !auth.tokenPaste;
    // Readers do not see what they may not do; the API refuses it to them anyway (403).
    Array.prototype.forEach.call(document.querySelectorAll('[data-needs="operate"]'), function (el) {
      el.hidden = !auth.operate;
    });
    document.dispatchEvent(new Event('kada:auth'));
  }

  function useToken() {
    auth.mode = token() ? 'token' : 'none';
    auth.operate = !!token(); // ADMIN_TOKEN has every right
    showAuth();
  }

  function showSignInError() {
    var m = /[?&]signin_error=([a-z_]+)/.exec(location.search);
    if (!m) return;
    $('signin-error').hidden = false;
    $('signin-error').textContent = 'Sign-in failed (' + m[1] + '). Try again, or ask for the kada role.';
    history.replaceState(null, '', '/');
  }

  function startAuth() {
    showSignInError();
    return fetch('/auth/session', { headers: { Accept: 'application/json' }, cache: 'no-store' })
      .then(function (res) { return res.json(); })
      .then(function (s) {
        auth.signIn = !!s.signIn;
        auth.tokenPaste = !!s.tokenPaste;
        if (s.signedIn) {
          auth.mode = 'session';
          auth.csrf = s.csrfToken;
          auth.actor = s.actor;
          auth.roles = s.roles;
          auth.operate = s.roles.indexOf('kada.operate') >= 0;
          showAuth();
        } else useToken();
      }, function () { auth.tokenPaste = true; useToken(); });
  }

  $('sign-out').addEventListener('click', function () {
    fetch('/auth/logout', { method: 'POST', headers: authHeaders('POST') }).then(function () { location.assign('/'); });
  });`;
