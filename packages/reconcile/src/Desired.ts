/**
 * The desired state: the typed tree decoded from `orgs.yaml` (a file, or a folder of files joined by
 * `parent:` anchors), with `status` inheritance resolved.
 */
import { Data } from "effect"

export type Status = "active" | "blocked" | "deactivated"

export type Prune = "report" | "deactivate"

export interface SourceLocation {
  readonly file: string
  readonly line: number
  readonly column: number
}

export interface DesiredOrg {
  readonly name: string
  /** Slash-joined names from the managed root's children down (see OrgPath). */
  readonly path: string
  /** `undefined`: the file does not manage it; `null`: it must be empty. */
  readonly extRef: string | null | undefined
  /** `undefined`: the file does not manage it; `null`: it must be empty. */
  readonly notes: string | null | undefined
  /** The effective status, inherited from the parent when the file omits it. */
  readonly status: Status
  /** A pinned orgUid (adoption of an existing org). */
  readonly uid: string | undefined
  /** Earlier names, so that a rename is an update and not a new org. */
  readonly previously: ReadonlyArray<string>
  /** Never blocked or deactivated by orgsync. */
  readonly protect: boolean
  readonly children: ReadonlyArray<DesiredOrg>
  readonly location: SourceLocation
}

export interface DesiredState {
  /** The orgUid of the managed root; `undefined`: the tenant's top-level org. */
  readonly root: string | undefined
  readonly prune: Prune
  readonly orgs: ReadonlyArray<DesiredOrg>
  /** The files read, in the order read. */
  readonly files: ReadonlyArray<string>
  /** Likely mistakes that do not stop the files from validating (sibling names that differ only by case, ...). */
  readonly warnings?: ReadonlyArray<ValidationIssue>
}

export interface ValidationIssue extends SourceLocation {
  readonly message: string
}

/** `file:line:column: message`, the form editors and CI annotations understand. */
export const formatIssue = (issue: ValidationIssue): string =>
  `${issue.file}:${issue.line}:${issue.column}: ${issue.message}`

/** Issues printed for one file at most: past that, a line says how many more there are. */
export const MaxIssuesPerFile = 100

/** Issues as printed: `file:line:column: message`, at most `MaxIssuesPerFile` a file, then a count of the rest. */
export const formatIssues = (issues: ReadonlyArray<ValidationIssue>): ReadonlyArray<string> => {
  const byFile = new Map<string, Array<ValidationIssue>>()
  for (const issue of issues) {
    const list = byFile.get(issue.file)
    if (list === undefined) byFile.set(issue.file, [issue])
    else list.push(issue)
  }
  return [...byFile].flatMap(([file, list]) => [
    ...list.slice(0, MaxIssuesPerFile).map(formatIssue),
    ...(list.length > MaxIssuesPerFile ? [`${file}: ${list.length - MaxIssuesPerFile} more errors not shown`] : [])
  ])
}

export class DesiredInvalid extends Data.TaggedError("DesiredInvalid")<{
  readonly issues: ReadonlyArray<ValidationIssue>
}> {
  override get message(): string {
    return this.issues.map(formatIssue).join("\n")
  }
}

/** Every desired org by its path. */
export const byPath = (desired: DesiredState): ReadonlyMap<string, DesiredOrg> => {
  const orgs = new Map<string, DesiredOrg>()
  const walk = (level: ReadonlyArray<DesiredOrg>) => {
    for (const org of level) {
      orgs.set(org.path, org)
      walk(org.children)
    }
  }
  walk(desired.orgs)
  return orgs
}
