/**
 * The admin page's audit view (GET /api/audit): who read or acted on whose data, newest first,
 * optionally for one person. A script of its own beside app.js, with the same rules: vanilla JS,
 * data only through textContent, no backticks or "${" (test/admin/web.test.ts compiles it).
 */
export const auditJs = String.raw`'use strict';
(function () {
  var $ = function (id) { return document.getElementById(id); };
  function token() { return sessionStorage.getItem('kada.adminToken') || ''; }
  function when(iso) { var d = new Date(iso); return isNaN(d.getTime()) ? String(iso) : d.toLocaleString(); }

  function show(items) {
    var body = $('audit');
    body.replaceChildren();
    items.forEach(function (e) {
      var tr = document.createElement('tr');
      [when(e.at), e.actor, e.action, e.person === null ? '' : e.person, e.outcome].forEach(function (v, i) {
        var td = document.createElement('td');
        td.textContent = v;
        if (i === 4 && v !== 'ok') td.className = 'bad';
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    $('audit-message').textContent = items.length ? items.length + ' entr(ies), newest first' : 'No entries.';
  }

  function load(ev) {
    if (ev) ev.preventDefault();
    if (!token()) { $('audit-message').textContent = 'Enter the admin token first.'; return; }
    var person = $('audit-person').value.trim();
    var query = '?limit=' + encodeURIComponent($('audit-limit').value || '100') +
      (person ? '&person=' + encodeURIComponent(person) : '');
    $('audit-message').textContent = 'Loading...';
    fetch('/api/audit' + query, { headers: { Authorization: 'Bearer ' + token() } }).then(function (res) {
      return res.json().then(function (b) {
        if (!res.ok) throw new Error(b && b.message ? b.message : 'HTTP ' + res.status);
        return b;
      });
    }).then(function (b) { show(b.items); }, function (err) {
      $('audit').replaceChildren();
      $('audit-message').textContent = 'Failed: ' + err.message;
    });
  }
  $('audit-form').addEventListener('submit', load);
})();
`;
