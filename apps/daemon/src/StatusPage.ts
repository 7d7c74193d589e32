/**
 * The status page a person reads at `GET /`: in sync or not, how the last pass went, what is pending or in
 * conflict, recent drift and errors, and the run history. Server-rendered from the same view as `/api/status`;
 * a few lines of inline script fetch the page again every 2 seconds and swap its content in place, so it stays
 * current without a reload and without a second renderer in the browser. Every value is escaped.
 */
import type { StatusView } from "./DaemonStatus.js"

/** HTML that is already safe; anything else interpolated into `html` is escaped. */
class Html {
  constructor(readonly value: string) {}
}

const escape = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" })[c]!)

const fragment = (value: unknown): string =>
  value instanceof Html
    ? value.value
    : Array.isArray(value)
    ? value.map(fragment).join("")
    : value === undefined || value === null || value === false
    ? ""
    : escape(String(value))

const html = (strings: TemplateStringsArray, ...values: ReadonlyArray<unknown>): Html =>
  new Html(strings.reduce((out, text, i) => out + text + (i < values.length ? fragment(values[i]) : ""), ""))

const plural = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? "" : "s"}`

/** How long before `now`, roughly, as a person says it. */
const ago = (at: string, now: string): string => {
  const seconds = Math.round((Date.parse(now) - Date.parse(at)) / 1000)
  if (seconds < 0) return `in ${ago(now, at)}`
  if (seconds < 90) return `${seconds} s`
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`
  if (seconds < 36 * 3600) return `${Math.round(seconds / 3600)} h`
  return `${Math.round(seconds / 86400)} d`
}

/** An ISO time as a person reads it: `2025-03-01 10:00:02Z`. */
const readable = (at: string): string => at.replace("T", " ").replace(/\.\d+Z$/, "Z")

const time = (at: string | null, now: string): Html =>
  at === null
    ? html`<span class="muted">never</span>`
    : html`<time datetime="${at}" title="${at}">${readable(at)}</time> <span class="muted">(${
      Date.parse(at) > Date.parse(now) ? ago(at, now) : `${ago(at, now)} ago`
    })</span>`

const fieldText = (fields: unknown): string =>
  fields === null || typeof fields !== "object"
    ? ""
    : Object.entries(fields).map(([key, value]) => `${key}: ${value === null ? "(empty)" : String(value)}`).join(", ")

const table = (headers: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<unknown>>): Html =>
  html`<table><thead><tr>${headers.map((header) => html`<th>${header}</th>`)}</tr></thead><tbody>${
    rows.map((cells) => html`<tr>${cells.map((cell) => html`<td>${cell}</td>`)}</tr>`)
  }</tbody></table>`

const card = (title: string, ...body: ReadonlyArray<unknown>): Html =>
  html`<div class="card"><h3>${title}</h3>${body}</div>`

const codeList = (lines: ReadonlyArray<string>): Html =>
  html`<ul class="issues">${lines.map((line) => html`<li><code>${line}</code></li>`)}</ul>`

const result = (text: string): Html => html`<strong class="result-${text}">${text}</strong>`

const headline = (view: StatusView): Html => {
  if (view.inSync) return html`<span class="badge ok">In sync</span>`
  if (view.running && view.lastPass === null) return html`<span class="badge info">First pass under way</span>`
  if (!view.ready) return html`<span class="badge bad">Not ready</span>`
  return html`<span class="badge warn">Out of sync</span>`
}

const lastPass = (view: StatusView): Html => {
  const last = view.lastPass
  if (last === null) return card("Last pass", html`<p class="muted">none yet</p>`)
  const counts = [
    `${last.durationSeconds.toFixed(1)} s`,
    plural(last.applied, "write"),
    `${last.failed} failed`,
    `${last.pending} pending`,
    `${last.drift} drift`,
    plural(last.conflicts, "conflict")
  ]
  return card(
    "Last pass",
    html`<p>${result(last.result)}${last.dryRun ? " (dry run)" : ""}, ${time(last.finishedAt, view.now)}</p>`,
    html`<p class="muted">${counts.join(" · ")}</p>`
  )
}

const nextPass = (view: StatusView): Html =>
  card(
    "Next pass",
    html`<p>${
      view.running
        ? html`under way since ${time(view.runningSince, view.now)}`
        : view.nextPassAt === null
        ? html`<span class="muted">not scheduled yet</span>`
        : time(view.nextPassAt, view.now)
    }</p>`,
    view.failures > 0 && html`<p class="bad-text">${plural(view.failures, "failed pass")} in a row, backing off</p>`
  )

const desiredFiles = (view: StatusView): Html =>
  card(
    "Desired files",
    html`<p><code>${view.desired.path}</code></p>`,
    html`<p>${
      view.desired.valid === null
        ? html`<span class="muted">not read yet</span>`
        : view.desired.valid
        ? html`<span class="ok-text">valid</span>, ${plural(view.desired.files.length, "file")}`
        : html`<span class="bad-text">invalid</span>, ${
          view.desired.inForce ? "the last good state stays in force" : "no good state yet"
        }`
    }</p>`
  )

const summary = (view: StatusView): Html =>
  html`<div class="cards">${lastPass(view)}${nextPass(view)}${desiredFiles(view)}${
    card("Last success", html`<p>${time(view.lastSuccessAt, view.now)}</p>`)
  }</div>`

const issues = (view: StatusView): Html =>
  view.desired.issues.length === 0 ? html`` : html`<section class="problem">
  <h2>Desired files do not validate</h2>
  ${codeList(view.desired.issues.map((issue) => issue.text))}
</section>`

const errors = (view: StatusView): Html => {
  const lines = view.lastPass?.errors ?? []
  return lines.length === 0 ? html`` : html`<section class="problem">
  <h2>Errors of the last pass</h2>
  ${codeList(lines)}
</section>`
}

const pending = (view: StatusView): Html => {
  if (view.pending === null) return html``
  const { changes, conflicts, refusal, unmanaged } = view.pending
  const changeRows = changes.map((change) => [
    html`<span class="action">${change.action}</span>`,
    html`${change.path}${
      change.cascadesTo.length > 0 &&
      html`<div class="muted">and ${plural(change.cascadesTo.length, "descendant")}</div>`
    }`,
    change.cause,
    fieldText(change.before),
    fieldText(change.after)
  ])
  return html`<section>
  <h2>Pending changes <span class="count">${changes.length}</span></h2>
  ${refusal !== null && html`<p class="bad-text">Refused: ${refusal.message}</p>`}
  ${
    changes.length === 0
      ? html`<p class="muted">Nothing pending.</p>`
      : table(["Action", "Org", "Cause", "Before", "After"], changeRows)
  }
</section>
<section>
  <h2>Conflicts <span class="count">${conflicts.length}</span></h2>
  ${
    conflicts.length === 0
      ? html`<p class="muted">No conflict.</p>`
      : table(["Org", "Kind", "Problem"], conflicts.map((conflict) => [conflict.path, conflict.kind, conflict.message]))
  }
  ${
    unmanaged.length > 0 &&
    html`<p class="muted">${plural(unmanaged.length, "org")} under the managed root that no file lists: ${
      unmanaged.map((org) => org.path).join(", ")
    }</p>`
  }
</section>`
}

const drift = (view: StatusView): Html =>
  html`<section>
  <h2>Recent drift</h2>
  ${
    view.drift.length === 0
      ? html`<p class="muted">No change made in Code42 by hand found since start.</p>`
      : html`<ul>${
        view.drift.map((found) =>
          html`<li>${time(found.at, view.now)}: ${plural(found.changes, "change")} made in Code42 by hand${
            view.dryRun ? " (dry run: left as found)" : ""
          }</li>`
        )
      }</ul>`
  }
</section>`

const runs = (view: StatusView): Html => {
  const rows = view.runs.map((run) => [
    run.id,
    `${run.kind}${run.dryRun ? " (dry run)" : ""}`,
    time(run.startedAt, view.now),
    html`${result(run.result ?? "running")}${run.errors.length > 0 && html`<div class="muted">${run.errors[0]}</div>`}`,
    Object.entries(run.counts).map(([key, count]) => `${key} ${count}`).join(" · ")
  ])
  return html`<section>
  <h2>Last runs</h2>
  ${view.runsError !== null && html`<p class="bad-text">${view.runsError}</p>`}
  ${
    rows.length === 0
      ? html`<p class="muted">No run recorded yet.</p>`
      : table(["#", "Kind", "Started", "Result", "Counts"], rows)
  }
</section>`
}

/** The part of the page that the script replaces on each refresh. */
const content = (view: StatusView): Html =>
  html`<header>
  <h1>orgsync ${headline(view)}${view.dryRun && html` <span class="badge info">dry run</span>`}</h1>
  ${view.notReady !== null && html`<p class="reason">${view.notReady}</p>`}
</header>
${summary(view)}
${issues(view)}
${errors(view)}
${pending(view)}
${drift(view)}
${runs(view)}
<footer class="muted">Daemon up since ${time(view.startedAt, view.now)} · page as of ${readable(view.now)} ·
<a href="/api/status">JSON</a> · <a href="/metrics">metrics</a></footer>`

const style = `
:root {
  color-scheme: light dark;
  --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; --info: #0969da; --line: #d0d7de88;
}
body { font: 14px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 1100px; padding: 1.5rem; }
h1 { font-size: 1.5rem; margin: 0; display: flex; gap: .6rem; align-items: center; }
h2 { font-size: 1.1rem; margin: 1.6rem 0 .5rem; }
h3 { font-size: .8rem; text-transform: uppercase; letter-spacing: .05em; margin: 0 0 .3rem; opacity: .7; }
p { margin: .2rem 0; }
.badge { font-size: .85rem; padding: .15rem .6rem; border-radius: 1rem; color: #fff; font-weight: 600; }
.ok { background: var(--ok); } .warn { background: var(--warn); }
.bad { background: var(--bad); } .info { background: var(--info); }
.ok-text, .result-converged { color: var(--ok); } .bad-text, .result-error, .result-failed { color: var(--bad); }
.result-pending, .result-refused { color: var(--warn); }
.reason { color: var(--bad); margin-top: .4rem; }
.muted { opacity: .65; font-size: .9em; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(230px, 1fr)); gap: .8rem; margin-top: 1.2rem; }
.card { border: 1px solid var(--line); border-radius: .5rem; padding: .7rem .9rem; }
.problem { border-left: 4px solid var(--bad); padding-left: .8rem; }
.issues { padding-left: 1rem; } .issues code { white-space: pre-wrap; }
.count { font-size: .8rem; border: 1px solid var(--line); border-radius: 1rem; padding: 0 .5rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: .8rem; opacity: .7; }
.action { font-family: ui-monospace, monospace; }
footer { margin-top: 2rem; border-top: 1px solid var(--line); padding-top: .6rem; }
#offline { display: none; color: var(--bad); font-weight: 600; }
body.offline #offline { display: inline; }
`

// Fetches the page again and swaps the content; marks the page when the daemon does not answer.
const script = `
(() => {
  const refresh = async () => {
    try {
      const response = await fetch(location.pathname, { cache: "no-store" })
      const page = new DOMParser().parseFromString(await response.text(), "text/html")
      document.getElementById("status").innerHTML = page.getElementById("status").innerHTML
      document.title = page.title
      document.body.classList.remove("offline")
    } catch {
      document.body.classList.add("offline")
    }
    setTimeout(refresh, 2000)
  }
  setTimeout(refresh, 2000)
})()
`

const title = (view: StatusView): string =>
  `orgsync: ${view.inSync ? "in sync" : view.ready ? "out of sync" : "not ready"}`

/** The whole page. */
export const render = (view: StatusView): string =>
  html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title(view)}</title>
<style>${new Html(style)}</style>
</head>
<body>
<p id="offline">The daemon does not answer; showing the last status received.</p>
<main id="status">
${content(view)}
</main>
<script>${new Html(script)}</script>
</body>
</html>
`.value
