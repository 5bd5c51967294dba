/**
 * The admin page's HTML, embedded so it ships inside dist/ with the compiled server (the image
 * holds nothing else). Static: every piece of data is filled in by app.js with textContent.
 */
export const indexHtml = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>kada admin</title>
<link rel="stylesheet" href="/app.css">
<script src="/app.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header>
  <h1>kada <span class="sub">admin</span></h1>
  <form id="token-form" class="token" autocomplete="off">
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
        <button type="button" id="rebuild">Rebuild now</button>
        <div id="job" class="job" role="status" aria-live="polite" aria-atomic="true">
          <progress id="job-progress" max="1" value="0" hidden aria-label="Rebuild progress"></progress>
          <span id="job-text"></span>
        </div>
      </div>

      <h4 id="courses-heading">Courses and groups</h4>
      <table aria-labelledby="courses-heading">
        <thead><tr><th scope="col">Course</th><th scope="col">Semester</th><th scope="col">Role</th><th scope="col">Groups</th></tr></thead>
        <tbody id="courses"></tbody>
      </table>

      <h4 id="diff-heading">Dry-run diff</h4>
      <p id="diff-summary" role="status" aria-live="polite"></p>
      <div class="scroll" tabindex="0" role="region" aria-labelledby="diff-heading">
        <table aria-labelledby="diff-heading">
          <thead><tr><th scope="col">Change</th><th scope="col">Subject</th><th scope="col">Start</th><th scope="col">Key</th></tr></thead>
          <tbody id="diff"></tbody>
        </table>
      </div>

      <h4 id="jobs-heading">Recent jobs</h4>
      <table aria-labelledby="jobs-heading">
        <thead><tr><th scope="col">Job</th><th scope="col">State</th><th scope="col">Created</th><th scope="col">Reason</th><th scope="col">Error</th></tr></thead>
        <tbody id="person-jobs"></tbody>
      </table>
    </div>
  </section>

  <section aria-labelledby="status-heading" class="card">
    <div class="row between">
      <h2 id="status-heading">Status</h2>
      <button type="button" id="refresh-status" class="secondary">Refresh</button>
    </div>
    <p id="status-message" role="status" aria-live="polite"></p>
    <dl class="facts" id="status-facts">
      <div><dt>Queued jobs</dt><dd id="st-queued"></dd></div>
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
  </section>

  <section aria-labelledby="errors-heading" class="card wide">
    <h2 id="errors-heading">Recent errors and dead letters</h2>
    <div class="scroll" tabindex="0" role="region" aria-labelledby="errors-heading">
      <table aria-labelledby="errors-heading">
        <thead><tr><th scope="col">Time</th><th scope="col">Kind</th><th scope="col">Code</th><th scope="col">Person</th><th scope="col">Message</th></tr></thead>
        <tbody id="errors"></tbody>
      </table>
    </div>
  </section>
</main>
</body>
</html>
`;
