/**
 * The admin page's room calendars (rooms-ics.md): the mapped rooms, their event counts and last syncs,
 * from GET /api/rooms. A script of its own beside app.js, with the same rules: vanilla JS, data only
 * through textContent, no backticks or "${" (test/admin/web.test.ts compiles it).
 */
export const roomsJs = String.raw`'use strict';
(function () {
  var $ = function (id) { return document.getElementById(id); };
  function token() { return sessionStorage.getItem('kada.adminToken') || ''; }
  function when(iso) {
    if (!iso) return 'never';
    var d = new Date(iso);
    return isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
  }
  function row(values) {
    var tr = document.createElement('tr');
    values.forEach(function (v) { var td = document.createElement('td'); td.textContent = v; tr.appendChild(td); });
    return tr;
  }

  function show(r) {
    $('rooms-message').textContent = r.enabled ? '' :
      'Room calendars are off (ROOM_CALENDARS=off): nothing is written.';
    var body = $('rooms');
    body.replaceChildren();
    if (r.items.length === 0)
      body.appendChild(row(['No rooms mapped (kada rooms import <file.csv>).', '', '', '', '']));
    r.items.forEach(function (x) {
      body.appendChild(row([x.tpRoomId, x.mailbox || '(unmapped, events being removed)', String(x.eventCount),
        when(x.lastSyncAt), x.lastError || '']));
    });
  }

  function load() {
    if (!token()) return;
    fetch('/api/rooms', { headers: { Authorization: 'Bearer ' + token() } }).then(function (res) {
      if (!res.ok) throw new Error('HTTP ' + res.status);
      return res.json();
    }).then(show, function (err) { $('rooms-message').textContent = 'Rooms not available: ' + err.message; });
  }
  $('refresh-rooms').addEventListener('click', load);
  load();
})();
`;
