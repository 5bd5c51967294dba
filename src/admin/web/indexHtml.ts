/**
 * The admin page's HTML, embedded so it ships inside dist/ with the compiled server (the image
 * holds nothing else). Static: every piece of data is filled in by app.js with textContent.
 */
const headerCells = (columns: string[]) => columns.map((c) => `<th scope="col">${c}</th>`).join('');

/** A data table named by its heading; app.js fills the tbody (by its id) with textContent. */
function table(headingId: string, bodyId: string, columns: string[]): string {
  return `<table aria-labelledby="${headingId}">
        <thead><tr>${headerCells(columns)}</tr></thead>
        <tbody id="${bodyId}"></tbody>
      </table>`;
}

/** A wide table that scrolls on its own, reachable by keyboard (a focusable, named region). */
function scrolling(headingId: string, inner: string): string {
  return `<div class="scroll" tabindex="0" role="region" aria-labelledby="${headingId}">
      ${inner}
    </div>`;
}

const ROOM_COLUMNS = ['TP room', 'Room mailbox', 'Events', 'Last sync', 'Last error'];

export const indexHtml = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>kada admin</title>
<link rel="stylesheet" href="/app.css">
<script src="/app.js" defer></script>
<script src="/safety.js" defer></script>
<script src="/audit.js" defer></script>
<script src="/rooms.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header>
  <h1>kada <span class="sub">admin</span></h1>
  <div id="session" class="token" hidden>
    <span id="who" role="status" aria-live="polite"></span>
    <button type="button" id="sign-out" class="secondary">Sign out</button>
  </div>
  <a id="sign-in" class="button" href="/auth/login" hidden>Sign in</a>
  <p id="signin-error" class="signin-error" role="alert" hidden></p>
  <form id="token-form" class="token" autocomplete="off" hidden>
    <label for="token">Admin token</label>
    <input id="token" name="token" type="password" autocomplete="off" spellcheck="false" required>
    <button type="submit">Use token</button>
    <button type="button" id="forget-token" class="secondary">Forget</button>
    <span id="token-state" role="status" aria-live="polite"></span>
  </form>
</header>
<main id="main">
  <section aria-labelledby="person-heading" class="card">
    <h2 id="person-heading">Person</h2>
    <form id="search-form" role="search">
      <label for="q">Personlopenummer, username or e-mail</label>
      <div class="row">
        <input id="q" name="q" type="search" maxlength="254" required autocomplete="off" spellcheck="false">
        <button type="submit">Search</button>
      </div>
    </form>
    <p id="search-message" role="status" aria-live="polite"></p>
    <ul id="matches" class="matches" hidden aria-label="Matching persons"></ul>

    <div id="person" hidden>
      <h3 id="person-name"></h3>
      <dl class="facts">
        <div><dt>Personlopenummer</dt><dd id="person-id"></dd></div>
        <div><dt>Mailbox</dt><dd id="person-mailbox"></dd></div>
        <div><dt>Status</dt><dd id="person-status"></dd></div>
        <div><dt>Events in calendar</dt><dd id="event-count"></dd></div>
        <div><dt>Last sync</dt><dd id="last-sync"></dd></div>
        <div><dt>Last error</dt><dd id="last-error"></dd></div>
      </dl>
      <p id="fs-warning" class="warning" hidden></p>
      <div class="actions">
        <button type="button" id="rebuild" data-needs="operate" hidden>Rebuild now</button>
        <div id="job" class="job" role="status" aria-live="polite" aria-atomic="true">
          <progress id="job-progress" max="1" value="0" hidden aria-label="Rebuild progress"></progress>
          <span id="job-text"></span>
        </div>
      </div>

      <h4 id="courses-heading">Courses and groups</h4>
      ${table('courses-heading', 'courses', ['Course', 'Semester', 'Role', 'Groups'])}

      <h4 id="diff-heading">Dry-run diff</h4>
      <p id="diff-summary" role="status" aria-live="polite"></p>
      ${scrolling('diff-heading', table('diff-heading', 'diff', ['Change', 'Subject', 'Start', 'Key']))}

      <h4 id="jobs-heading">Recent jobs</h4>
      ${table('jobs-heading', 'person-jobs', ['Job', 'State', 'Created', 'Reason', 'Error'])}
    </div>
  </section>

  <section aria-labelledby="status-heading" class="card">
    <div class="row between">
      <h2 id="status-heading">Status</h2>
      <button type="button" id="refresh-status" class="secondary">Refresh</button>
    </div>
    <p id="status-message" role="status" aria-live="polite"></p>
    <div id="deletes-banner" class="warning" role="alert" hidden>
      <p id="deletes-text"></p>
      <button type="button" id="release-deletes" data-needs="operate" hidden>Release held deletions</button>
      <button type="button" id="drop-deletes" class="secondary" data-needs="operate" hidden>Drop held deletions</button>
    </div>
    <dl class="facts" id="status-facts">
      <div><dt>Queued jobs</dt><dd id="st-queued"></dd></div>
      <div><dt>Queued by priority</dt><dd id="st-by-priority"></dd></div>
      <div><dt>Running jobs</dt><dd id="st-running"></dd></div>
      <div><dt>Failed jobs</dt><dd id="st-failed"></dd></div>
      <div><dt>Inbox lag</dt><dd id="st-lag"></dd></div>
      <div><dt>Inbox pending</dt><dd id="st-pending"></dd></div>
      <div><dt>Dead letters</dt><dd id="st-dead"></dd></div>
      <div><dt>Graph throttled (429)</dt><dd id="st-throttled"></dd></div>
      <div><dt>Graph retry wait</dt><dd id="st-retry"></dd></div>
      <div><dt>Graph writes waiting</dt><dd id="st-graph-pending"></dd></div>
      <div><dt>Errors (24 h)</dt><dd id="st-errors"></dd></div>
      <div><dt>Last sync</dt><dd id="st-last-sync"></dd></div>
    </dl>
    <h3 id="confirmations-heading">Waiting for confirmation</h3>
    <p id="confirmations-none" class="muted">Nothing: no person gone or course emptied is waiting.</p>
    <ul id="confirmations" aria-labelledby="confirmations-heading"></ul>
  </section>

  <section aria-labelledby="rooms-heading" class="card wide">
    <div class="row between">
      <h2 id="rooms-heading">Room calendars</h2>
      <button type="button" id="refresh-rooms" class="secondary">Reload rooms</button>
    </div>
    <p id="rooms-message" role="status" aria-live="polite"></p>
    ${scrolling('rooms-heading', table('rooms-heading', 'rooms', ROOM_COLUMNS))}
  </section>

  <section aria-labelledby="errors-heading" class="card wide">
    <h2 id="errors-heading">Recent errors and dead letters</h2>
    ${scrolling('errors-heading', table('errors-heading', 'errors', ['Time', 'Kind', 'Code', 'Person', 'Message']))}
  </section>

  <section aria-labelledby="audit-heading" class="card wide">
    <h2 id="audit-heading">Audit trail</h2>
    <form id="audit-form">
      <label for="audit-person">Person (personlopenummer, username, e-mail or p:hash; empty for everyone)</label>
      <div class="row">
        <input id="audit-person" type="search" maxlength="254" autocomplete="off" spellcheck="false">
        <label for="audit-limit">Entries</label>
        <input id="audit-limit" type="number" min="1" max="1000" value="100">
        <button type="submit">Show</button>
      </div>
    </form>
    <p id="audit-message" role="status" aria-live="polite"></p>
    ${scrolling('audit-heading', table('audit-heading', 'audit', ['Time', 'Actor', 'Action', 'Person', 'Outcome']))}
  </section>
</main>
</body>
</html>
`;
