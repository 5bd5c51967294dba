/** The admin page's stylesheet, embedded like the HTML. */
export const appCss = String.raw`:root { --fg: #1b1f24; --muted: #5b6470; --bg: #f5f6f8; --card: #fff; --line: #d8dce2;
  --accent: #0b5cad; --bad: #a4161a; --good: #1a7f37; color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg);
  background: var(--bg); }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 8px; top: 8px; background: var(--card); padding: 6px 10px; z-index: 10; }
header { display: flex; flex-wrap: wrap; gap: 12px 24px; align-items: center; justify-content: space-between;
  padding: 12px 24px; background: #12263f; color: #fff; }
header h1 { margin: 0; font-size: 20px; }
header .sub { font-weight: 400; opacity: .8; }
header label { margin-right: 6px; }
.token { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; }
#token-state { font-size: 13px; opacity: .85; min-width: 10em; }
main { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 20px; padding: 20px 24px;
  max-width: 1500px; margin: 0 auto; }
@media (max-width: 1000px) { main { grid-template-columns: 1fr; } }
main > .wide { grid-column: 1 / -1; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px; min-width: 0; }
h2 { margin: 0 0 12px; font-size: 18px; }
h3 { margin: 16px 0 8px; font-size: 16px; }
h4 { margin: 18px 0 6px; font-size: 14px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
label { font-weight: 600; }
#search-form label { display: block; margin-bottom: 4px; }
.row { display: flex; gap: 8px; align-items: center; }
.between { justify-content: space-between; }
input { font: inherit; padding: 6px 8px; border: 1px solid #8a94a3; border-radius: 4px; min-width: 0; }
#q { flex: 1; }
button { font: inherit; padding: 6px 14px; border-radius: 4px; border: 1px solid var(--accent);
  background: var(--accent); color: #fff; cursor: pointer; }
button.secondary { background: transparent; color: inherit; border-color: currentColor; }
header button.secondary { color: #fff; }
button:disabled { opacity: .55; cursor: progress; }
button.link { background: none; border: none; color: var(--accent); padding: 2px 0; text-decoration: underline;
  text-align: left; }
:focus-visible { outline: 3px solid #f0a202; outline-offset: 2px; }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: 8px 16px; margin: 8px 0; }
.facts div { border-left: 3px solid var(--line); padding-left: 8px; }
dt { font-size: 12px; color: var(--muted); }
dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
#event-count { font-size: 20px; }
.actions { display: flex; flex-wrap: wrap; align-items: center; gap: 12px; margin: 12px 0; }
.job { display: flex; align-items: center; gap: 8px; min-height: 1.5em; }
progress { width: 160px; }
.warning { color: var(--bad); }
.muted { color: var(--muted); }
table { width: 100%; border-collapse: collapse; font-size: 13px; }
th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid var(--line); vertical-align: top; }
td { overflow-wrap: break-word; }
th { white-space: nowrap; }
td:first-child { white-space: nowrap; }
#errors td:last-child, #diff td:nth-child(2) { min-width: 16em; }
.scroll { max-height: 26rem; overflow: auto; border: 1px solid var(--line); border-radius: 4px; }
.scroll thead th { position: sticky; top: 0; background: var(--card); }
th { font-size: 12px; color: var(--muted); font-weight: 600; }
.change-create td:first-child { color: var(--good); font-weight: 600; }
.change-update td:first-child { color: var(--accent); font-weight: 600; }
.change-delete td:first-child { color: var(--bad); font-weight: 600; }
.matches { padding-left: 18px; }
td.bad { color: var(--bad); font-weight: 600; }
a.button { padding: 6px 14px; border-radius: 4px; background: #fff; color: #12263f; font-weight: 600;
  text-decoration: none; }
.signin-error { margin: 0; color: #ffd7d7; }
[hidden] { display: none !important; }
`;
