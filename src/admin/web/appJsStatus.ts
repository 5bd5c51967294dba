/**
 * The status panel of the admin page's script (src/admin/web/appJs.ts splices it into its closure, which
 * provides $, signedIn, auth, text, seconds and api). Same rules: no backticks or "${" in the script.
 */
export const appJsStatus = String.raw`  // ---- status ----
  function loadStatus() {
    if (!signedIn()) {
      text('status-message', auth.signIn ? 'Sign in to see the status.' : 'Enter the admin token to see the status.');
      return;
    }
    $('status-message').textContent = 'Loading…';
    Promise.all([api('GET', '/api/status'), api('GET', '/api/errors?limit=20')]).then(function (r) {
      var s = r[0];
      text('st-queued', s.queue.queued +
        (s.queue.oldestQueuedSeconds ? ' (oldest ' + seconds(s.queue.oldestQueuedSeconds) + ')' : ''));
      var bp = s.queue.byPriority || {};
      text('st-by-priority', 'rebuild ' + (bp.rebuild || 0) + ', near change ' + (bp.nearChange || 0) +
        ', change ' + (bp.change || 0) + ', fill ' + (bp.fill || 0) + ', later weeks ' + (bp.fillRest || 0));
      text('st-running', s.queue.running);
      text('st-failed', s.queue.failed);
      text('st-lag', seconds(s.inbox.lagSeconds));
      text('st-pending', s.inbox.pending);
      text('st-dead', s.deadLetters.total + ' (' + s.deadLetters.last24h + ' in 24 h)');
      text('st-throttled', s.graph
        ? s.graph.throttled + ' (' + s.graph.processes + (s.graph.processes === 1 ? ' process)' : ' processes)')
        : '—');
      text('st-retry', s.graph ? s.graph.retryWaitSeconds + ' s' : '—');
      text('st-graph-pending', s.graph ? s.graph.pending : '—');
      var kinds = Object.keys(s.errors.last24h);
      text('st-errors', kinds.length
        ? kinds.map(function (k) { return k + ': ' + s.errors.last24h[k]; }).join(', ')
        : 'none');
      text('st-last-sync', when(s.persons.lastSyncAt));

      var body = $('errors');
      body.replaceChildren();
      r[1].errors.forEach(function (e) {
        var tr = document.createElement('tr');
        cell(tr, when(e.createdAt));
        cell(tr, e.kind);
        cell(tr, e.code);
        cell(tr, e.personId || '');
        cell(tr, e.message);
        body.appendChild(tr);
      });
      r[1].failedNotifications.forEach(function (n) {
        var tr = document.createElement('tr');
        cell(tr, when(n.failedAt || n.receivedAt));
        cell(tr, 'notification');
        cell(tr, n.format);
        cell(tr, '');
        cell(tr, (n.routingKey ? n.routingKey + ': ' : '') + (n.error || ''));
        body.appendChild(tr);
      });
      if (!body.children.length) emptyRow(body, 5, 'No errors recorded.');
      $('status-message').textContent = 'Updated ' + new Date().toLocaleTimeString() + '.';
    }, function (err) { $('status-message').textContent = 'Status not available: ' + err.message; });
  }
  $('refresh-status').addEventListener('click', loadStatus);`;
