/**
 * The daemon following a git branch: at each pass it fetches, and reads the desired files at the fetched commit.
 * What it knows (the commit in force, the branch's head at the last fetch, why a fetch failed) is kept here for
 * `/api/status`, the status page, `/readyz` and the metrics. A failed fetch, or a commit whose files do not
 * validate, leaves the last good commit in force.
 */
import { Effect, Metric, Option } from "effect"
import type { Desired } from "@c42/reconcile"
import { type Checkout, type Commit, type GitError, type GitSettings, redact } from "./GitSource.js"

/** The branch's head, when its files are refused, and why. */
export interface Refusal {
  readonly commit: Commit
  readonly reason: string
}

export interface GitState {
  readonly settings: GitSettings
  /** The commit whose desired files are in force: the last good one. */
  readonly inForce: Commit | undefined
  /** The head of the branch at the last fetch that succeeded. */
  readonly fetched: Commit | undefined
  readonly fetchedAt: Date | undefined
  /** Why the last fetch failed; `undefined` once one succeeds. */
  readonly error: string | undefined
  /** Fetches failed in a row. */
  readonly failures: number
  /** The branch's head, when its files are refused: they do not validate, or cannot be read safely. */
  readonly refused: Refusal | undefined
}

export const initial = (settings: GitSettings): GitState => ({
  settings,
  inForce: undefined,
  fetched: undefined,
  fetchedAt: undefined,
  error: undefined,
  failures: 0,
  refused: undefined
})

// ---------------------------------------------------------------------------------------------------------
// Transitions

export const fetched = (checkout: Checkout) => (state: GitState): GitState => ({
  ...state,
  fetched: checkout.commit,
  fetchedAt: checkout.fetchedAt,
  error: undefined,
  failures: 0,
  refused: state.refused?.commit.sha === checkout.commit.sha ? state.refused : undefined
})

/** The fetch failed, or the head fetched was refused (the desired path missing, or a symbolic link). */
export const fetchFailed = (error: GitError) => (state: GitState): GitState => ({
  ...state,
  error: error.message,
  failures: state.failures + 1,
  refused: error.head === undefined ? state.refused : { commit: error.head, reason: error.message }
})

/** The files of the head `commit` do not validate. */
export const invalid = (commit: Commit, reason: string) => (state: GitState): GitState => ({
  ...state,
  refused: { commit, reason }
})

/** The files of `commit` validated: they are the state in force. */
export const accepted = (commit: Commit) => (state: GitState): GitState => ({ ...state, inForce: commit })

/** SIGHUP changed the repository, branch or path: what was fetched from the old ones no longer describes them. */
export const retarget = (settings: GitSettings) => (state: GitState): GitState =>
  settings.repo === state.settings.repo && settings.branch === state.settings.branch &&
    settings.path === state.settings.path
    ? state
    : { ...state, settings, fetched: undefined, fetchedAt: undefined, error: undefined, refused: undefined }

// ---------------------------------------------------------------------------------------------------------
// Derived facts

export const short = (commit: Commit): string => commit.sha.slice(0, 7)

export type Sync = "synced" | "not fetched yet" | "fetch failed" | "invalid"

/** Where the daemon stands against the branch. */
export const sync = (state: GitState): Sync =>
  state.error !== undefined
    ? "fetch failed"
    : state.fetched === undefined
    ? "not fetched yet"
    : state.fetched.sha === state.inForce?.sha
    ? "synced"
    : "invalid"

const staying = (state: GitState): string =>
  state.inForce === undefined ? "no commit is in force yet" : `the last good commit ${short(state.inForce)} stays in force`

/** One line: `synced to 1a2b3c4`, or what is wrong and which commit stays in force. */
export const summary = (state: GitState): string => {
  switch (sync(state)) {
    case "synced":
      return `synced to ${short(state.inForce!)}`
    case "not fetched yet":
      return "not fetched yet"
    case "fetch failed":
      return `fetch failed: ${state.error}; ${staying(state)}`
    case "invalid":
      return `${short(state.fetched!)} does not validate; ${staying(state)}`
  }
}

/** Why the daemon is not ready on git's account: the branch cannot be fetched. */
export const notReady = (state: GitState): Option.Option<string> =>
  state.error === undefined ? Option.none() : Option.some(`cannot follow git: ${state.error}; ${staying(state)}`)

/** What people are told of the branch followed (see `Notices`). */
export interface Trouble {
  readonly branch: string
  /** The head refused. */
  readonly refused: Refusal | undefined
  /** Why the branch cannot be fetched. */
  readonly fetchError: string | undefined
  readonly inForce: Commit | undefined
}

export const trouble = (state: GitState): Trouble => ({
  branch: state.settings.branch,
  refused: state.refused,
  // A head refused as it was written out is told as refused, not as a fetch failing.
  fetchError: state.error === state.refused?.reason ? undefined : state.error,
  inForce: state.inForce
})

export interface GitView {
  /** Without a password written into it. */
  readonly repo: string
  readonly branch: string
  readonly path: string
  readonly sync: Sync
  /** `synced to <sha>`, or what is wrong. */
  readonly summary: string
  /** The commit in force. */
  readonly sha: string | null
  readonly author: string | null
  readonly subject: string | null
  /** The head of the branch at the last fetch that succeeded, and when. */
  readonly fetchedSha: string | null
  readonly fetchedAt: string | null
  readonly error: string | null
  readonly fetchFailures: number
}

export const view = (state: GitState): GitView => ({
  repo: redact(state.settings.repo),
  branch: state.settings.branch,
  path: state.settings.path,
  sync: sync(state),
  summary: summary(state),
  sha: state.inForce?.sha ?? null,
  author: state.inForce?.author ?? null,
  subject: state.inForce?.subject ?? null,
  fetchedSha: state.fetched?.sha ?? null,
  fetchedAt: state.fetchedAt?.toISOString() ?? null,
  error: state.error ?? null,
  fetchFailures: state.failures
})

/** One log line for what changed: a new head fetched, a fetch failing or working again, a new commit in force. */
export const log = (before: GitState, after: GitState): Effect.Effect<void> =>
  Effect.all([
    after.fetched !== undefined && after.fetched.sha !== before.fetched?.sha
      ? Effect.logInfo(`fetched ${short(after.fetched)} ${after.fetched.subject}`).pipe(Effect.annotateLogs({
        sha: after.fetched.sha,
        author: after.fetched.author,
        branch: after.settings.branch
      }))
      : Effect.void,
    after.error !== undefined && after.error !== before.error
      ? Effect.logWarning(Option.getOrElse(notReady(after), () => after.error!))
      : Effect.void,
    after.error === undefined && before.error !== undefined
      ? Effect.logInfo(`git fetches again: ${summary(after)}`)
      : Effect.void,
    after.inForce !== undefined && after.inForce.sha !== before.inForce?.sha
      ? Effect.logInfo(`the desired files of ${short(after.inForce)} are in force`).pipe(
        Effect.annotateLogs({ sha: after.inForce.sha })
      )
      : Effect.void
  ], { discard: true })

// ---------------------------------------------------------------------------------------------------------
// File names as the repository has them

const relabelOrg = (inRepo: (file: string) => string) => (org: Desired.DesiredOrg): Desired.DesiredOrg => ({
  ...org,
  location: { ...org.location, file: inRepo(org.location.file) },
  children: org.children.map(relabelOrg(inRepo))
})

/** The desired state read from a checkout, with its files named as in the repository. */
export const relabel = (desired: Desired.DesiredState, checkout: Checkout): Desired.DesiredState => ({
  ...desired,
  files: desired.files.map(checkout.inRepo),
  orgs: desired.orgs.map(relabelOrg(checkout.inRepo)),
  ...(desired.warnings === undefined ? {} : { warnings: relabelIssues(desired.warnings, checkout) })
})

export const relabelIssues = (
  issues: ReadonlyArray<Desired.ValidationIssue>,
  checkout: Checkout
): ReadonlyArray<Desired.ValidationIssue> => issues.map((issue) => ({ ...issue, file: checkout.inRepo(issue.file) }))

// ---------------------------------------------------------------------------------------------------------
// Metrics

/** 1 for the commit in force; a commit no longer in force is set to 0, which the exposition leaves out. */
export const commitInfo = Metric.gauge("orgsync_git_commit_info", {
  description: "The git commit whose desired files are in force (1), by sha and branch"
})

export const fetchFailures = Metric.counter("orgsync_git_fetch_failures_total", {
  description: "Fetches of the git branch that failed (unreachable remote, missing branch or path, git missing)",
  incremental: true
})

export const lastFetch = Metric.gauge("orgsync_git_last_fetch_timestamp_seconds", {
  description: "When a fetch of the git branch last succeeded, in unix seconds"
})

export const registerMetrics: Effect.Effect<void> = Effect.all([
  Metric.update(fetchFailures, 0),
  Metric.set(lastFetch, 0)
], { discard: true })

const info = (commit: Commit, branch: string) =>
  commitInfo.pipe(Metric.tagged("sha", commit.sha), Metric.tagged("branch", branch))

/** The metrics after a transition from `before` to `after`. */
export const recordMetrics = (before: GitState, after: GitState): Effect.Effect<void> =>
  Effect.all([
    after.failures > before.failures ? Metric.increment(fetchFailures) : Effect.void,
    after.fetchedAt !== undefined && after.fetchedAt !== before.fetchedAt
      ? Metric.set(lastFetch, after.fetchedAt.getTime() / 1000)
      : Effect.void,
    before.inForce !== undefined &&
      (before.inForce.sha !== after.inForce?.sha || before.settings.branch !== after.settings.branch)
      ? Metric.set(info(before.inForce, before.settings.branch), 0)
      : Effect.void,
    after.inForce === undefined ? Effect.void : Metric.set(info(after.inForce, after.settings.branch), 1)
  ], { discard: true })
