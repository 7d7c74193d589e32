/**
 * The status pages a person reads: `GET /` (in sync or not, how the last pass went, what is held, pending or
 * in conflict, the org tree, recent drift and errors, the run history) and `GET /runs/<id>` (one run: its
 * writes and how each ended). Server-rendered from the same views as `/api/status` and `/api/runs/<id>`, with
 * every value escaped; the page's script (`internal/statusScript.ts`) keeps them current and draws the tree.
 */
import { PlanFormat } from "@c42/reconcile"
import type { RunDetail, StatusView } from "./DaemonStatus.js"
import { card, codeList, Html, html, readable, result, table, time } from "./internal/html.js"
import { script } from "./internal/statusScript.js"
import { style } from "./internal/statusStyle.js"

/** A change held for approval (policy `destructive: confirm`), as `/api/status` lists it. */
export interface HeldView {
  readonly id: string
  readonly action: string
  readonly path: string
  readonly reach: number
  /** `held` awaits approval; `rejected`; `never` (destructive: never) cannot be approved. */
  readonly state?: string
  /** Approved: the next pass applies it. */
  readonly approved?: boolean
  /** The destructive change it is held with, and decided with (`block Sales`). */
  readonly goesWith?: string | null
}

/** What the page shows when the daemon has it: the admin API, held changes. */
export interface Extras {
  readonly admin?: boolean
  readonly held?: ReadonlyArray<HeldView>
}

export type PageView = Omit<StatusView, "held"> & Extras

const fieldText = (fields: unknown): string =>
  fields === null || typeof fields !== "object"
    ? ""
    : Object.entries(fields).map(([key, value]) => `${key}: ${value === null ? "(empty)" : String(value)}`).join(", ")

const headline = (view: PageView): Html => {
  if (view.inSync) return html`<span class="badge ok">In sync</span>`
  if (view.running && view.lastPass === null) return html`<span class="badge info">First pass under way</span>`
  if (!view.ready) return html`<span class="badge bad">Not ready</span>`
  return html`<span class="badge warn">Out of sync</span>`
}

/** Which tenant, which commit of the desired files, which orgsync: on every page. */
const about = (view: PageView): Html =>
  html`<p class="meta">${
    view.tenantUrl !== null &&
    html`<span id="tenant">Code42 <a href="${view.tenantUrl}">${view.tenantUrl}</a></span>`
  }${
    view.git !== null &&
    html`<span id="commit" title="${view.git.sha ?? ""}">${
      view.git.sync === "synced"
        ? html`synced to <code>${view.git.sha!.slice(0, 7)}</code>`
        : html`<strong class="bad-text">${view.git.summary}</strong>`
    }${
      view.git.sha !== null && html` ${view.git.subject} <span class="muted">(${view.git.author})</span>`
    }</span>`
  }<span id="version">orgsync ${view.version}</span></p>`

const header = (view: PageView, title: unknown = html`orgsync ${headline(view)}${
  view.dryRun && html` <span class="badge info">dry run</span>`
}${view.suspended && html` <span class="badge warn">suspended</span>`}`): Html =>
  html`<header>
  <h1>${title}</h1>
  ${about(view)}
  ${view.notReady !== null && html`<p class="reason">${view.notReady}</p>`}
  ${
    view.suspendedSince !== null &&
    html`<p class="reason">Suspended since ${
      time(view.suspendedSince, view.now)
    }: passes plan and show, and make no write until <code>orgsync resume</code>.</p>`
  }
</header>`

const lastPass = (view: PageView): Html => {
  const last = view.lastPass
  if (last === null) return card("Last pass", html`<p class="muted">none yet</p>`)
  const counts = [
    `${last.durationSeconds.toFixed(1)} s`,
    PlanFormat.plural(last.applied, "write"),
    `${last.failed} failed`,
    `${last.pending} pending`,
    `${last.drift} drift`,
    PlanFormat.plural(last.conflicts, "conflict")
  ]
  return card(
    "Last pass",
    html`<p>${result(last.result)}${last.dryRun ? " (dry run)" : ""}, ${time(last.finishedAt, view.now)}</p>`,
    html`<p class="muted">${counts.join(" · ")}</p>`
  )
}

const nextPass = (view: PageView): Html =>
  card(
    "Next pass",
    html`<p>${
      view.running
        ? html`under way since ${time(view.runningSince, view.now)}`
        : view.nextPassAt === null
        ? html`<span class="muted">not scheduled yet</span>`
        : time(view.nextPassAt, view.now)
    }</p>`,
    view.failures > 0 &&
      html`<p class="bad-text">${PlanFormat.plural(view.failures, "failed pass", "failed passes")} in a row, backing off</p>`
  )

const desiredFiles = (view: PageView): Html =>
  card(
    "Desired files",
    html`<p><code>${view.desired.path}</code></p>`,
    html`<p>${
      view.desired.valid === null
        ? html`<span class="muted">not read yet</span>`
        : view.desired.valid
        ? html`<span class="ok-text">valid</span>, ${PlanFormat.plural(view.desired.files.length, "file")}`
        : html`<span class="bad-text">invalid</span>, ${
          view.desired.inForce ? "the last good state stays in force" : "no good state yet"
        }`
    }</p>`
  )

const summary = (view: PageView): Html =>
  html`<div class="cards">${lastPass(view)}${nextPass(view)}${desiredFiles(view)}${
    card("Last success", html`<p>${time(view.lastSuccessAt, view.now)}</p>`)
  }</div>`

const issues = (view: PageView): Html =>
  view.desired.issues.length === 0 ? html`` : html`<section class="problem">
  <h2>Desired files do not validate</h2>
  ${codeList(view.desired.issues.map((issue) => issue.text))}
</section>`

const errors = (view: PageView): Html => {
  const lines = view.lastPass?.errors ?? []
  return lines.length === 0 ? html`` : html`<section class="problem">
  <h2>Errors of the last pass</h2>
  ${codeList(lines)}
</section>`
}

/** Changes held for approval, with buttons when the daemon has an admin token (the script sends them). */
const held = (view: PageView): Html => {
  const list = view.held ?? []
  if (list.length === 0) return html``
  const rows = list.map((change) => [
    html`<code>${change.id}</code>`,
    html`<span class="action">${change.action}</span>`,
    change.path,
    PlanFormat.plural(change.reach, "org"),
    change.goesWith != null
      ? html`<span class="muted">held with ${change.goesWith}, decided with it</span>`
      : change.state === "never"
      ? html`<span class="muted">never applied (destructive: never)</span>`
      : change.approved === true
      ? html`<span class="muted">approved: the next pass applies it</span>`
      : view.admin
      ? html`<button type="button" class="approve" data-decide="approve" data-id="${change.id}">Approve</button>
<button type="button" class="reject" data-decide="reject" data-id="${change.id}">Reject</button>`
      : html`<span class="muted">${change.state === "rejected" ? "rejected; " : ""}orgsync approve ${change.id}</span>`
  ])
  return html`<section id="held">
  <h2>Held for approval <span class="count">${list.length}</span></h2>
  ${table(["Id", "Action", "Org", "Reach", ""], rows)}
</section>`
}

const pending = (view: PageView): Html => {
  if (view.pending === null) return html``
  const { changes, conflicts, refusal, unmanaged } = view.pending
  const changeRows = changes.map((change) => [
    html`<span class="action">${change.action}</span>`,
    html`${change.path}${
      change.cascadesTo.length > 0 &&
      html`<div class="muted">and ${PlanFormat.plural(change.cascadesTo.length, "descendant")}</div>`
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
    html`<p class="muted">${PlanFormat.plural(unmanaged.length, "org")} under the managed root that no file lists: ${
      unmanaged.map((org) => org.path).join(", ")
    }</p>`
  }
</section>`
}

const shown = (value: string | null): string => value === null ? "(empty)" : value

/** Every drifted field the last pass found: what orgsync applied, what Code42 holds, since when. */
const drift = (view: PageView): Html =>
  html`<section>
  <h2>Drift <span class="count">${view.drift.length}</span></h2>
  ${
    view.drift.length === 0
      ? html`<p class="muted">The last pass found no change made in Code42 by hand.</p>`
      : table(
        ["Org", "Field", "Applied by orgsync", "Now in Code42", "Seen", ""],
        view.drift.map((found) => [
          found.path,
          found.field,
          found.applied === undefined ? html`<span class="muted">never applied by orgsync</span>` : shown(found.applied),
          shown(found.current),
          time(found.seenAt, view.now),
          found.healed ? "healed" : html`<strong>left as found</strong> (drift: ${view.policy.drift})`
        ])
      )
  }
</section>`

const runs = (view: PageView): Html => {
  const rows = view.runs.map((run) => [
    html`<a href="/runs/${run.id}">${run.id}</a>`,
    html`${run.kind}${run.dryRun ? " (dry run)" : ""}${
      run.commit !== null && html` <code title="${run.commit.subject}">${run.commit.sha.slice(0, 7)}</code>`
    }`,
    time(run.startedAt, view.now),
    html`${result(run.result ?? "running")}${run.errors.length > 0 && html`<div class="muted">${run.errors[0]}</div>`}`,
    Object.entries(run.counts).map(([key, count]) => `${key} ${count}`).join(" · ")
  ])
  return html`<section id="runs">
  <h2>Last runs</h2>
  ${view.runsError !== null && html`<p class="bad-text">${view.runsError}</p>`}
  ${
    rows.length === 0
      ? html`<p class="muted">No run recorded yet.</p>`
      : table(["#", "Kind", "Started", "Result", "Counts"], rows)
  }
</section>`
}

const footer = (view: PageView): Html =>
  html`<footer class="muted">Daemon up since ${time(view.startedAt, view.now)} · page as of ${readable(view.now)} ·
<a href="/api/status">JSON</a> · <a href="/metrics">metrics</a></footer>`

/** The token form: outside the parts the script swaps, so that typing is never cut off; shown to admins. */
const adminForm = html`<form id="admin" hidden autocomplete="off">
  <span id="admin-state"></span>
  <input id="admin-token" type="password" aria-label="Admin token" placeholder="admin token">
  <button id="admin-use" type="submit">Use</button>
  <button id="admin-forget" type="button">Forget the token</button>
  <strong id="admin-said" role="status"></strong>
</form>`

const tree = html`<section id="tree">
  <h2>Orgs</h2>
  <p id="tree-about" class="muted">Reading the orgs…</p>
  <ul></ul>
</section>`

const page = (title: string, body: Html): string =>
  html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${new Html(style)}</style>
</head>
<body>
<p id="offline">The daemon does not answer; showing the last status received.</p>
<main>
${body}
</main>
<script>${new Html(script)}</script>
</body>
</html>
`.value

const title = (view: PageView): string =>
  `orgsync: ${view.inSync ? "in sync" : view.ready ? "out of sync" : "not ready"}`

/** The status page. The tree is read again when the last pass (or what is held) changes. */
export const render = (view: PageView): string =>
  page(
    title(view),
    html`<div id="status" data-live>
<span hidden data-admin="${view.admin === true}" data-tree-version="${view.lastPass?.finishedAt ?? ""}|${
      (view.held ?? []).map((change) => `${change.id}:${change.state ?? "held"}`).join(",")
    }"></span>
${header(view)}
${summary(view)}
${issues(view)}
${errors(view)}
${held(view)}
</div>
${adminForm}
<div id="changes" data-live>
${pending(view)}
</div>
${tree}
<div id="history" data-live>
${drift(view)}
${runs(view)}
${footer(view)}
</div>`
  )

/** The page of one run: what it was, and each write it made with how it ended. */
export const renderRun = (view: PageView, detail: RunDetail): string => {
  const run = detail.run
  const counts = Object.entries(run.counts).map(([key, count]) => `${key} ${count}`).join(" · ")
  const rows = detail.writes.map((write) => [
    html`<span class="action">${write.action}</span>`,
    html`${write.path}${write.orgUid !== null && html`<div class="muted">${write.orgUid}</div>`}`,
    html`${result(write.outcome ?? "unsettled")}${write.error !== null && html`<div class="muted">${write.error}</div>`}`,
    time(write.at, view.now)
  ])
  return page(
    `orgsync: run ${run.id}`,
    html`<div id="run" data-live>
${header(view, html`<span><a href="/">orgsync</a> run ${run.id}</span>`)}
<div class="cards">${
      card(
        "Run",
        html`<p>${run.kind}${run.dryRun ? " (dry run)" : ""}: ${result(run.result ?? "running")}</p>`,
        html`<p class="muted">${counts}</p>`
      )
    }${card("Started", html`<p>${time(run.startedAt, view.now)}</p>`)}${
      card("Finished", html`<p>${run.finishedAt === null ? "still running" : time(run.finishedAt, view.now)}</p>`)
    }</div>
${run.errors.length > 0 && html`<section class="problem"><h2>Errors</h2>${codeList(run.errors)}</section>`}
<section id="writes">
  <h2>Writes <span class="count">${detail.writes.length}</span></h2>
  ${
      detail.writes.length === 0
        ? html`<p class="muted">This run made no write.</p>`
        : table(["Action", "Org", "Result", "Sent"], rows)
    }
</section>
${footer(view)}
</div>`
  )
}
