/**
 * The admin page's safety rails: a banner while KADA_DELETE_GUARD holds deletions (with release and drop),
 * and the wipe-outs waiting for a second sighting. A script of its own beside app.js, with the same rules:
 * vanilla JS, data only through textContent, no backticks or "${" (test/admin/web.test.ts compiles it).
 */
export const safetyJs = String.raw`'use strict';
(function () {
  var $ = function (id) { return document.getElementById(id); };
  // app.js decides how requests are authenticated (session cookie + CSRF header, or the pasted token).
  function call(method, path) {
    return fetch(path, { method: method, headers: window.kadaAuth.headers(method) }).then(function (res) {
      if (!res.ok) throw new Error('HTTP ' + res.status);
      return res.json();
    });
  }
  function when(iso) { var d = new Date(iso); return isNaN(d.getTime()) ? String(iso) : d.toLocaleString(); }

  function show(s) {
    var held = s.safety.deletes.held;
    $('deletes-banner').hidden = held === 0;
    $('deletes-text').textContent = held + ' deletion(s) of ' + s.safety.deletes.persons +
      ' person(s) held by the deletion guard (KADA_DELETE_GUARD): more were asked for this hour than allowed.' +
      ' Check the sources, then release or drop them.';
    var list = $('confirmations');
    list.replaceChildren();
    s.safety.pendingConfirmations.forEach(function (c) {
      var li = document.createElement('li');
      li.textContent = (c.kind === 'person' ? 'Person ' : 'Course ') + c.subject + ' reported ' +
        (c.kind === 'person' ? 'gone' : 'empty') + ' since ' + when(c.firstSeenAt) + '; waiting for a second answer';
      list.appendChild(li);
    });
    $('confirmations-none').hidden = s.safety.pendingConfirmations.length > 0;
  }

  function load() {
    if (!window.kadaAuth || !window.kadaAuth.signedIn()) return;
    call('GET', '/api/status').then(show, function () { /* app.js reports the status errors */ });
  }
  function decide(action) {
    if (!window.confirm(action === 'release' ? 'Execute every held deletion?' : 'Drop every held deletion?')) return;
    call('POST', '/api/deletes/' + action).then(function (v) {
      $('deletes-text').textContent = (action === 'release' ? 'Released ' : 'Dropped ') + v.deletes + ' deletion(s).';
      load();
    }, function (err) { $('deletes-text').textContent = 'Failed: ' + err.message; });
  }
  $('release-deletes').addEventListener('click', function () { decide('release'); });
  $('drop-deletes').addEventListener('click', function () { decide('drop'); });
  $('refresh-status').addEventListener('click', load);
  document.addEventListener('kada:auth', load);
})();
`;
