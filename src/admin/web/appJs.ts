import { appJsAuth } from './appJsAuth';
import { appJsStatus } from './appJsStatus';

/**
 * The admin page's script: vanilla JS, no build step, embedded for the same reason as the HTML.
 * Data only ever reaches the page through textContent. (Written without backticks or "${" so it
 * can live in this template string; test/admin/web.test.ts compiles it.) The status panel is in ./appJsStatus.ts.
 */
export const appJs = String.raw`'use strict';
(function () {
  var TOKEN_KEY = 'kada.adminToken';
  var POLL_MS = 700;
  var $ = function (id) { return document.getElementById(id); };
  var current = null; // the person shown: { personId, ... }
  var polling = null;

${appJsAuth}

  function text(id, value) {
    $(id).textContent = value === null || value === undefined || value === '' ? '—' : String(value);
  }

  function cell(row, value) {
    var td = document.createElement('td');
    td.textContent = value === null || value === undefined ? '' : String(value);
    row.appendChild(td);
    return td;
  }

  function emptyRow(body, columns, message) {
    var tr = document.createElement('tr');
    var td = cell(tr, message);
    td.colSpan = columns;
    td.className = 'muted';
    body.appendChild(tr);
  }

  function when(iso) {
    if (!iso) return '—';
    var d = new Date(iso);
    return isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
  }

  function seconds(s) {
    if (s === null || s === undefined) return '—';
    if (s < 120) return s + ' s';
    if (s < 7200) return Math.round(s / 60) + ' min';
    return Math.round(s / 3600) + ' h';
  }

  function ApiError(status, code, message) { this.status = status; this.code = code; this.message = message; }

  function api(method, path) {
    if (!signedIn()) {
      return Promise.reject(new ApiError(401, 'unauthorized',
        auth.signIn ? 'Sign in first.' : 'Enter the admin token first.'));
    }
    return fetch(path, { method: method, headers: authHeaders(method), cache: 'no-store' })
      .then(function (res) {
        return res.text().then(function (body) {
          var data = null;
          try { data = body ? JSON.parse(body) : null; } catch (e) { data = null; }
          if (res.ok) return data;
          if (res.status === 401 && auth.mode === 'session') {
            auth.mode = 'none';
            showAuth();
            throw new ApiError(401, 'unauthorized', 'The session has ended: sign in again.');
          }
          if (res.status === 401) {
            text('token-state', 'Token rejected.');
            throw new ApiError(401, 'unauthorized', 'The admin token was not accepted.');
          }
          var msg = (data && (data.message || data.error)) || ('HTTP ' + res.status);
          throw new ApiError(res.status, data && data.error, msg);
        });
      }, function () { throw new ApiError(0, 'network', 'kada could not be reached.'); });
  }

  // ---- token ----
  function showTokenState() { text('token-state', token() ? 'Token set for this tab.' : 'No token.'); }
  $('token-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var v = $('token').value.trim();
    if (!v) return;
    sessionStorage.setItem(TOKEN_KEY, v);
    $('token').value = '';
    showTokenState();
    useToken();
    loadStatus();
  });
  $('forget-token').addEventListener('click', function () {
    sessionStorage.removeItem(TOKEN_KEY);
    showTokenState();
    useToken();
  });

  // ---- person ----
  function showPerson(p) {
    current = p;
    $('matches').hidden = true;
    $('person').hidden = false;
    text('person-name', p.name || p.username || p.personId);
    text('person-id', p.personId);
    text('person-mailbox', p.mailbox);
    text('person-status',
      (p.status === 'unknown' ? 'not synced yet' : p.status.replace('_', ' ')) + (p.optedOut ? ' (opted out)' : ''));
    text('event-count', p.eventCount);
    text('last-sync', when(p.lastSync));
    text('last-error', p.lastError ? p.lastError + ' (' + when(p.lastErrorAt) + ')' : '');
    $('fs-warning').hidden = !p.fsUnavailable;
    $('fs-warning').textContent = p.fsUnavailable || '';

    var courses = $('courses');
    courses.replaceChildren();
    (p.courses || []).forEach(function (c) {
      var tr = document.createElement('tr');
      cell(tr, c.courseId + (c.version && c.version !== '1' ? ' (v' + c.version + ')' : ''));
      cell(tr, c.semester);
      cell(tr, (c.roles || []).join(', '));
      cell(tr, (c.groups || []).join(', '));
      courses.appendChild(tr);
    });
    if (!courses.children.length) {
      emptyRow(courses, 4, 'No registrations or teaching roles in the configured semesters.');
    }

    var jobs = $('person-jobs');
    jobs.replaceChildren();
    (p.recentJobs || []).forEach(function (j) {
      var tr = document.createElement('tr');
      cell(tr, j.jobId);
      cell(tr, j.state);
      cell(tr, when(j.createdAt));
      cell(tr, (j.reasons || [])[0] || '');
      cell(tr, j.lastError || '');
      jobs.appendChild(tr);
    });
    if (!jobs.children.length) emptyRow(jobs, 5, 'No jobs yet.');
  }

  function loadPerson(id) {
    return api('GET', '/api/persons/' + encodeURIComponent(id)).then(showPerson);
  }

  function loadDiff(id) {
    text('diff-summary', 'Computing the dry-run diff…');
    $('diff').replaceChildren();
    return api('GET', '/api/persons/' + encodeURIComponent(id) + '/diff').then(function (d) {
      if (!current || current.personId !== d.personId) return;
      var c = d.counts;
      var total = c.creates + c.updates + c.deletes;
      $('diff-summary').textContent = total === 0
        ? 'In step: a sync now would change nothing (' + d.outcome + ').'
        : c.creates + ' to create, ' + c.updates + ' to update, ' + c.deletes + ' to delete (' + d.outcome + ').' +
          (d.truncated ? ' Only the first changes are listed.' : '');
      var body = $('diff');
      d.changes.forEach(function (ch) {
        var tr = document.createElement('tr');
        tr.className = 'change-' + ch.kind;
        cell(tr, ch.kind);
        cell(tr, ch.subject || '');
        cell(tr, ch.start ? ch.start.replace('T', ' ').slice(0, 16) : '');
        cell(tr, ch.key);
        body.appendChild(tr);
      });
      if (!d.changes.length) emptyRow(body, 4, 'No changes.');
    }, function (err) { $('diff-summary').textContent = 'Diff not available: ' + err.message; });
  }

  function showMatches(list) {
    var ul = $('matches');
    ul.replaceChildren();
    list.forEach(function (m) {
      var li = document.createElement('li');
      var b = document.createElement('button');
      b.type = 'button';
      b.className = 'link';
      b.textContent = (m.name || '(no name)') + ' — ' + (m.username || m.personId) +
        (m.mailbox ? ' <' + m.mailbox + '>' : '');
      b.addEventListener('click', function () { $('q').value = m.personId; search(m.personId); });
      li.appendChild(b);
      ul.appendChild(li);
    });
    ul.hidden = list.length === 0;
  }

  function search(q) {
    stopPolling();
    $('job-text').textContent = '';
    $('job-progress').hidden = true;
    $('rebuild').disabled = false;
    $('search-message').textContent = 'Searching…';
    return loadPerson(q).then(function () {
      $('search-message').textContent = 'Showing ' + (current.name || current.personId) + '.';
      loadDiff(current.personId);
    }, function (err) {
      $('person').hidden = true;
      current = null;
      if (err.status !== 404) { $('search-message').textContent = err.message; return; }
      return api('GET', '/api/persons?q=' + encodeURIComponent(q)).then(function (r) {
        showMatches(r.persons);
        $('search-message').textContent = r.persons.length ? err.message + ' Did you mean one of these?' : err.message;
      }, function () { $('search-message').textContent = err.message; });
    });
  }

  $('search-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var q = $('q').value.trim();
    if (q) search(q);
  });

  // ---- rebuild ----
  function stopPolling() { if (polling) { clearTimeout(polling); polling = null; } }

  function describe(job) {
    var p = job.progress;
    if (job.state === 'queued') return 'Rebuild queued (job ' + job.jobId + ')…';
    if (job.state === 'running') {
      return p && p.total
        ? 'Rebuilding: ' + p.done + ' of ' + p.total + ' changes written…'
        : 'Rebuilding: reading sources and calendar…';
    }
    if (job.state === 'failed') return 'Rebuild failed: ' + (job.lastError || 'unknown error');
    var r = job.result || {};
    var w = r.written || {};
    return 'Rebuild done: ' + (w.creates || 0) + ' created, ' + (w.updates || 0) + ' updated, ' +
      (w.deletes || 0) + ' deleted' +
      (r.failed ? ', ' + r.failed + ' failed' : '') + '; ' +
      (r.eventCount === undefined ? '?' : r.eventCount) + ' events in the calendar.';
  }

  function poll(jobId, personId) {
    api('GET', '/api/jobs/' + encodeURIComponent(jobId)).then(function (job) {
      var bar = $('job-progress');
      if (job.progress && job.progress.total) {
        bar.hidden = false;
        bar.max = job.progress.total;
        bar.value = job.progress.done;
      }
      $('job-text').textContent = describe(job);
      if (job.state === 'done' || job.state === 'failed') {
        polling = null;
        if (job.state === 'done') { bar.max = 1; bar.value = 1; }
        $('rebuild').disabled = false;
        if (current && current.personId === personId) loadPerson(personId).then(function () { loadDiff(personId); });
        loadStatus();
        return;
      }
      polling = setTimeout(function () { poll(jobId, personId); }, POLL_MS);
    }, function (err) {
      $('job-text').textContent = 'Could not follow the job: ' + err.message;
      $('rebuild').disabled = false;
      polling = null;
    });
  }

  $('rebuild').addEventListener('click', function () {
    if (!current) return;
    var personId = current.personId;
    stopPolling();
    $('rebuild').disabled = true;
    $('job-progress').hidden = true;
    $('job-text').textContent = 'Queuing a rebuild…';
    api('POST', '/api/persons/' + encodeURIComponent(personId) + '/rebuild').then(function (r) {
      $('job-text').textContent = 'Rebuild queued (job ' + r.jobId + ')…';
      poll(r.jobId, personId);
    }, function (err) {
      $('job-text').textContent = 'Rebuild not queued: ' + err.message;
      $('rebuild').disabled = false;
    });
  });

${appJsStatus}

  showTokenState();
  startAuth().then(loadStatus);
})();
`;
