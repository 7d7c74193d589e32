/**
 * The plan as a pull-request comment (`plan --format markdown`): a hidden marker so that CI updates one
 * sticky comment, a heading with the tenant and the desired files' commit, a headline that counts the orgs
 * reached (cascades included, destructive ones first), then every destructive change in full. The other rows
 * fill what room is left of a comment and the rest is summarized, so a block is never cut away. The changes
 * the policy keeps back (drift under `drift: report`, destructive changes under `destructive: never`) are
 * listed apart, as not made.
 */
import type { ValidationIssue } from "./Desired.js"
import type { DesiredCommit } from "./DesiredCommit.js"
import { type Change, converged, type Plan } from "./Plan.js"
import * as PlanFormat from "./PlanFormat.js"
import * as Policy from "./Policy.js"
import { printable } from "./Printable.js"

/** Where the plan comes from, for the heading; either part may be unknown. */
export interface Source {
  readonly tenantUrl: string | undefined
  readonly commit: DesiredCommit | undefined
}

/** Finds the comment to update: GitHub and GitLab keep HTML comments hidden in a rendered comment. */
export const marker = "<!-- orgsync-plan -->"

/** GitHub refuses comments over 65,536 characters; this leaves room for a header a bot may add. */
export const limit = 65_000
/** Room kept below the limit for the notes and closing tags that follow a shortened table. */
const reserve = 1_000

type Kind = "block" | "deactivate" | "prune" | "create" | "update" | "unblock" | "reactivate"

const destructiveKinds: ReadonlyArray<Kind> = ["block", "deactivate", "prune"]
const otherKinds: ReadonlyArray<Kind> = ["create", "update", "unblock", "reactivate"]

/** A prune is a deactivation of an org that no desired file lists. */
const kindOf = (plan: Plan) => {
  const pruned = new Set(plan.unmanaged.filter((org) => org.action === "deactivate").map((org) => org.path))
  return (change: Change): Kind =>
    change.action === "deactivate" && pruned.has(change.path) ? "prune" : change.action
}

/** The orgs a change reaches: its own and those its cascade reaches. */
const reach = (change: Change): number => 1 + change.cascadesTo.length

/**
 * A table cell: no raw newline (CR and LF are escaped, as in the text plan), no `|` that would split the cell,
 * no markup from an org name, and no `@team` or `#12` that the forge would turn into a mention or a reference
 * (a word joiner after the sign).
 */
const cell = (text: string): string =>
  printable(text.replace(/[\\|*_`<>[\]]/g, (c) => `\\${c}`)).replace(/([@#])(?=\w)/g, "$1\u2060")

/** The tenant without credentials, query or fragment a URL might carry. */
const tenant = (url: string): string | undefined => {
  try {
    const parsed = new URL(url)
    return `<${parsed.origin}${parsed.pathname.replace(/\/+$/, "")}>`
  } catch {
    return undefined
  }
}

const heading = (source: Source): string => {
  const url = source.tenantUrl === undefined ? undefined : tenant(source.tenantUrl)
  const commit = source.commit
  return "### orgsync plan" +
    (url === undefined ? "" : ` for ${url}`) +
    (commit === undefined ? "" : ` at \`${commit.sha}\`${commit.modified ? " (modified)" : ""}`)
}

/** Lines added while they fit in the comment; what does not fit is counted by the caller. */
const comment = (head: ReadonlyArray<string>) => {
  const lines: Array<string> = []
  let size = 0
  const push = (...added: ReadonlyArray<string>) => {
    for (const line of added) {
      lines.push(line)
      size += line.length + 1
    }
  }
  push(...head)
  return {
    push,
    /** Adds `line` if it fits below the limit, keeping the reserve, and answers whether it did. */
    fit: (line: string): boolean => {
      if (size + line.length + 1 > limit - reserve) return false
      push(line)
      return true
    },
    /** Whether `text` (any number of lines) fits. */
    fits: (text: ReadonlyArray<string>): boolean =>
      size + text.reduce((total, line) => total + line.length + 1, 0) <= limit - reserve,
    text: () => lines.join("\n") + "\n"
  }
}

type Comment = ReturnType<typeof comment>

/** A table with as many rows as fit; answers how many were shown. */
const table = (
  out: Comment,
  title: string,
  header: ReadonlyArray<string>,
  rows: ReadonlyArray<string>
): number => {
  if (rows.length === 0) return 0
  const top = ["", title, "", `| ${header.join(" | ")} |`, `|${header.map(() => " --- |").join("")}`]
  if (!out.fits([...top, rows[0]!])) return 0
  out.push(...top)
  let shown = 0
  while (shown < rows.length && out.fit(rows[shown]!)) shown++
  return shown
}

const notShown = (what: string, command: string) =>
  `_${what} not shown: a comment holds at most 65,000 characters. Run \`${command}\` to see every one._`

const counted = (counts: ReadonlyMap<Kind, number>, kinds: ReadonlyArray<Kind>) =>
  kinds.map((kind) => `${counts.get(kind) ?? 0} to ${kind}`).join(", ")

/** The headline of `plan`, the changes the policy keeps back (`kept`) left out of it, and counted apart. */
const headline = (plan: Plan, kept: ReadonlyArray<Policy.Kept>, kind: (change: Change) => Kind): string => {
  if (converged(plan)) return `**${PlanFormat.summaryLine(plan, kept)}**`
  const orgs = new Map<Kind, number>()
  for (const change of plan.changes) orgs.set(kind(change), (orgs.get(kind(change)) ?? 0) + reach(change))
  // Counted in orgs, cascades included: one call that deactivates a subtree of 35 orgs reads as 35.
  const destructive = destructiveKinds.some((k) => orgs.has(k))
    ? `⚠️ ${PlanFormat.plural(orgs.get("block") ?? 0, "org")} to block, ${counted(orgs, ["deactivate", "prune"])}`
    : "0 orgs to block, deactivate or prune"
  return `**Plan: ${destructive}; ${counted(orgs, otherKinds)}; ` +
    `${PlanFormat.plural(plan.conflicts.length, "conflict")}, ${plan.unmanaged.length} unmanaged.` +
    `${kept.length === 0 ? "" : ` Kept back: ${PlanFormat.keptLine(kept)}.`}**`
}

const changeRow = (change: Change, label: string) =>
  `| ${label} | ${cell(change.path)} | ${cell(PlanFormat.describeChange(change))} | ${change.cause} |`

const changeHeader = ["Action", "Path", "Change", "Cause"]

/** Every destructive change and every org its cascade reaches, unless they alone overflow a comment. */
const destructiveSection = (out: Comment, changes: ReadonlyArray<Change>, kind: (change: Change) => Kind) => {
  if (changes.length === 0) return
  const total = changes.reduce((sum, change) => sum + reach(change), 0)
  const title = `**⚠️ Destructive: ${PlanFormat.plural(total, "org")} blocked or deactivated, in ` +
    `${PlanFormat.plural(changes.length, "call")}**`
  let listed = table(out, title, changeHeader, changes.map((change) => changeRow(change, `⚠️ ${kind(change)}`)))
  const cascading = changes.filter((change) => change.cascadesTo.length > 0)
  if (listed === changes.length && cascading.length > 0) {
    const reached = total - changes.length
    out.push("", `<details><summary>${PlanFormat.plural(reached, "org")} reached by cascade</summary>`, "")
    list: for (const change of cascading) {
      if (!out.fit(`- ${cell(change.path)} (${kind(change)})`)) break
      for (const path of change.cascadesTo) {
        if (!out.fit(`  - ${cell(path)}`)) break list
        listed++
      }
    }
    out.push("", "</details>")
  }
  if (listed < total) {
    out.push("", `**⚠️ ${PlanFormat.plural(total - listed, "destructive org")} not listed: more than a comment ` +
      "holds. Run `orgsync plan --format json` to see every one.**")
  }
}

/** The plan as a pull-request comment of at most 65,000 characters; `kept`: what the policy keeps back. */
export const render = (planned: Plan, source: Source, kept: ReadonlyArray<Policy.Kept> = []): string => {
  const kind = kindOf(planned)
  const plan = PlanFormat.toMake(planned, kept)
  const out = comment([marker, heading(source)])
  if (plan.refusal !== undefined) {
    out.push("", `> **Refused (${plan.refusal.reason}):** ${cell(plan.refusal.message)}`)
  }
  out.push("", headline(plan, kept, kind))
  const destructive = plan.changes.filter((change) => destructiveKinds.includes(kind(change)))
  destructiveSection(out, destructive, kind)

  const others = plan.changes.filter((change) => !destructiveKinds.includes(kind(change)))
  const shown = table(
    out,
    destructive.length > 0 ? "**Other changes**" : "**Changes**",
    changeHeader,
    others.map((change) => changeRow(change, `${PlanFormat.markers[change.action]} ${change.action}`))
  )
  if (shown < others.length) {
    const rest = new Map<Kind, number>()
    for (const change of others.slice(shown)) rest.set(kind(change), (rest.get(kind(change)) ?? 0) + 1)
    const counts = otherKinds.filter((k) => rest.has(k)).map((k) => `${rest.get(k)} to ${k}`).join(", ")
    out.push("", notShown(`${PlanFormat.plural(others.length - shown, "more change")} (${counts})`, "orgsync plan"))
  }

  const keptShown = table(
    out,
    "**Kept back by the policy** (planned, not made)",
    [...changeHeader.slice(0, 3), "Why"],
    kept.map((k) =>
      `| ${PlanFormat.markers[k.change.action]} ${kind(k.change)} | ${cell(k.change.path)} | ` +
      `${cell(PlanFormat.describeChange(k.change))} | ${cell(Policy.keptNote(k))} |`
    )
  )
  if (keptShown < kept.length) {
    out.push("", notShown(PlanFormat.plural(kept.length - keptShown, "more change kept back"), "orgsync plan"))
  }

  const conflicts = table(
    out,
    "**Conflicts** (nothing is done for these orgs)",
    ["Kind", "Path", "Problem"],
    plan.conflicts.map((conflict) => `| ${conflict.kind} | ${cell(conflict.path)} | ${cell(conflict.message)} |`)
  )
  if (conflicts < plan.conflicts.length) {
    out.push("", notShown(PlanFormat.plural(plan.conflicts.length - conflicts, "more conflict"), "orgsync plan"))
  }

  const unmanaged = table(
    out,
    "**Unmanaged** (in Code42 under the root, in no desired file)",
    ["Path", "Status", "Action"],
    plan.unmanaged.map((org) => `| ${cell(org.path)} | ${org.status} | ${org.action} |`)
  )
  if (unmanaged < plan.unmanaged.length) {
    out.push("", notShown(PlanFormat.plural(plan.unmanaged.length - unmanaged, "more unmanaged org"), "orgsync plan"))
  }
  return out.text()
}

/** Desired files that do not validate, as a comment: nothing was planned. */
export const invalid = (issues: ReadonlyArray<ValidationIssue>, source: Source): string => {
  const out = comment([marker, heading(source)])
  out.push("", `**⛔ The desired files do not validate: ${PlanFormat.plural(issues.length, "error")}. ` +
    "Nothing was planned.**")
  const shown = table(
    out,
    "**Errors**",
    ["Where", "Error"],
    issues.map((issue) => `| ${cell(`${issue.file}:${issue.line}:${issue.column}`)} | ${cell(issue.message)} |`)
  )
  if (shown < issues.length) {
    out.push("", notShown(PlanFormat.plural(issues.length - shown, "more error"), "orgsync validate"))
  }
  return out.text()
}
