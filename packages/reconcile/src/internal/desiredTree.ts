/**
 * Joins decoded files into the one desired tree: `parent:` anchors hang a file's orgs under an org of another
 * file, statuses are inherited, and the checks that span entries run over the whole tree (sibling names and
 * `previously`, uids, statuses below blocked or deactivated parents, settings set twice).
 */
import type { DesiredOrg, DesiredState, SourceLocation, Status, ValidationIssue } from "../Desired.js"
import * as DesiredSchema from "../DesiredSchema.js"
import * as OrgPath from "../OrgPath.js"
import { depthMessage, type Entry, type FileEntries, type Located, MaxDepth } from "./desiredEntry.js"

/** `file`: one file given; `folder`: every file of a folder, which may anchor with `parent:`. */
export type Mode = "file" | "folder"

interface Placed {
  readonly entry: Entry
  readonly file: string
  readonly path: string
  readonly depth: number
  /** Its own children, then the orgs of the files anchored under it. */
  readonly children: Array<Placed>
}

/** Where another entry is, for a message about `from`: the file is named only when it is another one. */
const where = (at: SourceLocation, from: SourceLocation): string =>
  at.file === from.file ? `${at.line}:${at.column}` : `${at.file}:${at.line}:${at.column}`
const quote = DesiredSchema.excerpt

export interface Assembled {
  readonly issues: ReadonlyArray<ValidationIssue>
  /** Present when there is no issue. */
  readonly state: DesiredState | undefined
}

export const assemble = (mode: Mode, files: ReadonlyArray<FileEntries>): Assembled => {
  const issues: Array<ValidationIssue> = files.flatMap((file) => file.issues)
  const report = (at: SourceLocation, message: string) => issues.push({ ...at, message })
  const warnings: Array<ValidationIssue> = []
  const warn = (at: SourceLocation, message: string) => warnings.push({ ...at, message })

  const setting = <A>(key: string, pick: (file: FileEntries) => Located<A> | undefined): Located<A> | undefined => {
    let first: Located<A> | undefined
    for (const file of files) {
      const value = pick(file)
      if (value === undefined) continue
      if (first === undefined) first = value
      else report(value.at, `${key} is set in more than one file (also at ${where(first.at, value.at)})`)
    }
    return first
  }
  const root = setting("root", (file) => file.root)
  const prune = setting("prune", (file) => file.prune)

  // Paths are indexed only for anchors to find; a path held twice is a duplicate that `build` reports.
  const anchored = mode === "folder" ? files.filter((file) => file.parent !== undefined) : []
  const byPath = new Map<string, Placed>()
  const twice = new Map<string, Array<Placed>>()
  const index = (placed: Placed): void => {
    const first = byPath.get(placed.path)
    if (first === undefined) byPath.set(placed.path, placed)
    else twice.set(placed.path, [...(twice.get(placed.path) ?? [first]), placed])
  }
  const place = (entries: ReadonlyArray<Entry>, file: string, parentPath: string, depth: number): Array<Placed> =>
    entries.map((entry) => {
      const path = OrgPath.child(parentPath, entry.name.value.trim())
      const placed: Placed = {
        entry,
        file,
        path,
        depth,
        // One level past the limit is kept, for `build` to report it.
        children: depth > MaxDepth ? [] : place(entry.children, file, path, depth + 1)
      }
      if (anchored.length > 0) index(placed)
      return placed
    })

  if (mode === "file") {
    for (const file of files) {
      if (file.parent !== undefined) {
        report(file.parent.at, "parent is only allowed in a folder of files, to hang a file's orgs under another's")
      }
    }
  }
  const topLevel = files
    .filter((file) => mode === "file" || file.parent === undefined)
    .flatMap((file) => place(file.orgs, file.file, "", 1))

  // Anchors may chain (a file under an org of an anchored file): attach in rounds until none moves.
  const anchorPath = (file: FileEntries) => OrgPath.join(OrgPath.split(file.parent!.value))
  let pending = anchored
  for (let moved = true; moved;) {
    moved = false
    pending = pending.filter((file) => {
      const parent = file.parent!
      const anchor = byPath.get(anchorPath(file))
      if (anchor === undefined) return true
      moved = true
      const candidates = twice.get(anchor.path)
      if (candidates !== undefined) {
        const at = candidates.map((candidate) => where(candidate.entry.location, parent.at)).join(", ")
        const count = candidates.length
        report(parent.at, `parent ${quote(parent.value)} is ambiguous: ${count} orgs have that path (${at})`)
      } else {
        anchor.children.push(...place(file.orgs, file.file, anchor.path, anchor.depth + 1))
      }
      return false
    })
  }
  // A file whose orgs are unknown may hold the missing anchors: then the anchors cannot be judged.
  if (files.every((file) => file.orgsKnown)) {
    const unattached = new Map<string, string>()
    const tentative = (entries: ReadonlyArray<Entry>, file: string, parentPath: string, depth: number): void => {
      for (const entry of entries) {
        const path = OrgPath.child(parentPath, entry.name.value.trim())
        unattached.set(path, file)
        if (depth < MaxDepth) tentative(entry.children, file, path, depth + 1)
      }
    }
    for (const file of pending) tentative(file.orgs, file.file, anchorPath(file), 1)
    // A parent may also name an org of an unattached file by its path in that file alone: files that hang
    // under each other's orgs (a cycle), or a file under one of its own orgs.
    const own = new Map<string, string>()
    for (const file of pending) {
      for (const entry of file.orgs) {
        const path = OrgPath.child("", entry.name.value.trim())
        if (!own.has(path)) own.set(path, file.file)
      }
    }
    for (const file of pending) {
      const parent = file.parent!
      const holder = unattached.get(anchorPath(file)) ?? own.get(anchorPath(file))
      report(
        parent.at,
        holder === undefined
          ? `parent ${quote(parent.value)} names no org of the other files`
          : holder === file.file
          ? `parent ${quote(parent.value)} is an org of this file: its orgs cannot hang under one of their own`
          : `parent ${quote(parent.value)} is in ${holder}, whose own parent cannot be resolved either`
      )
    }
  }

  const uids = new Map<string, SourceLocation>()
  const build = (siblings: ReadonlyArray<Placed>, parent: { name: string; status: Status } | undefined) => {
    checkSiblings(siblings, parent?.name, report, warn)
    return siblings.flatMap((placed): ReadonlyArray<DesiredOrg> => {
      const { entry } = placed
      if (placed.depth > MaxDepth) {
        report(entry.location, depthMessage)
        return []
      }
      const inherited = parent?.status ?? "active"
      const status = entry.status?.value ?? inherited
      if (entry.status !== undefined && parent !== undefined && !DesiredSchema.allowedBelow(inherited, status)) {
        report(
          entry.status.at,
          `status ${status} is impossible below ${quote(parent.name)}, which is ${inherited}: ` +
            `${inherited === "blocked" ? "a block" : "deactivation"} covers every org below it`
        )
      }
      if (entry.uid !== undefined) {
        const first = uids.get(entry.uid.value)
        if (first === undefined) uids.set(entry.uid.value, entry.uid.at)
        else report(entry.uid.at, `uid "${entry.uid.value}" is pinned twice (also at ${where(first, entry.uid.at)})`)
        if (entry.uid.value === root?.value) {
          report(entry.uid.at, `uid "${entry.uid.value}" is the managed root (root at ${where(root.at, entry.uid.at)})`)
        }
      }
      return [{
        // Code42 trims names: " Sales " is the org Code42 calls "Sales".
        name: entry.name.value.trim(),
        path: placed.path,
        extRef: entry.extRef,
        notes: entry.notes,
        status,
        uid: entry.uid?.value,
        previously: entry.previously.map((name) => name.value.trim()),
        protect: entry.protect,
        children: build(placed.children, { name: entry.name.value, status }),
        location: entry.location
      }]
    })
  }
  const orgs = build(topLevel, undefined)

  return {
    issues,
    state: issues.length > 0 ? undefined : {
      root: root?.value,
      prune: prune?.value ?? "report",
      orgs,
      files: files.map((file) => file.file),
      warnings
    }
  }
}

/**
 * Sibling names must be unique (once trimmed, as Code42 stores them), and so must the earlier names in `previously`, which stand for the same org
 * when it is identified: a name claimed twice would make identity ambiguous.
 */
const checkSiblings = (
  siblings: ReadonlyArray<Placed>,
  parentName: string | undefined,
  report: (at: SourceLocation, message: string) => void,
  warn: (at: SourceLocation, message: string) => void
): void => {
  const among = parentName === undefined ? "the top-level orgs" : `the children of ${quote(parentName)}`
  // Code42 trims the spaces around a name: names equal once trimmed are the same name.
  const names = new Map<string, Placed>()
  const trimmed = new Map<string, Placed>()
  for (const placed of siblings) {
    const name = placed.entry.name
    const first = trimmed.get(name.value.trim())
    if (first === undefined) {
      names.set(name.value, placed)
      trimmed.set(name.value.trim(), placed)
    } else {
      const also = where(first.entry.name.at, name.at)
      const why = first.entry.name.value === name.value ? "" : ": Code42 trims the spaces around a name"
      report(name.at, `duplicate name ${quote(name.value)} among ${among} (also at ${also})${why}`)
    }
  }
  // Names that differ only by invisible characters, by Unicode normalization or by case look alike: likely a
  // mistake, not an error.
  const alike = new Map<string, Placed>()
  for (const placed of trimmed.values()) {
    const name = placed.entry.name
    const key = DesiredSchema.visible(name.value).normalize("NFC").toLowerCase()
    const first = alike.get(key)
    if (first === undefined) alike.set(key, placed)
    else {
      const other = first.entry.name
      const seen = (value: string) => DesiredSchema.visible(value)
      const how = seen(other.value) === seen(name.value)
        ? "invisible characters"
        : seen(other.value).normalize("NFC") === seen(name.value).normalize("NFC")
        ? "Unicode normalization"
        : "case"
      warn(
        name.at,
        `name ${quote(name.value)} differs from its sibling ${quote(other.value)} (at ${where(other.at, name.at)}) ` +
          `only by ${how}: likely a mistake`
      )
    }
  }
  const earlierNames = new Map<string, { readonly by: Placed; readonly at: SourceLocation }>()
  for (const placed of siblings) {
    for (const earlier of placed.entry.previously) {
      const named = names.get(earlier.value)
      const listed = earlierNames.get(earlier.value)
      if (earlier.value === placed.entry.name.value) {
        report(earlier.at, `previously ${quote(earlier.value)} is the org's own name`)
      } else if (named !== undefined) {
        const at = where(named.entry.name.at, earlier.at)
        report(earlier.at, `previously ${quote(earlier.value)} is the name of a sibling (at ${at})`)
      } else if (listed === undefined) {
        earlierNames.set(earlier.value, { by: placed, at: earlier.at })
      } else if (listed.by === placed) {
        report(earlier.at, `previously lists ${quote(earlier.value)} twice`)
      } else {
        const owner = quote(listed.by.entry.name.value)
        const at = where(listed.at, earlier.at)
        report(earlier.at, `previously ${quote(earlier.value)} is also listed by sibling ${owner} (at ${at})`)
      }
    }
  }
}
