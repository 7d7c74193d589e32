/**
 * What the daemon knows about itself, as the loop records it and the endpoints show it: whether the desired
 * files validate, how the last passes ended, what is pending or in conflict, when the next pass is due. The
 * loop changes it only through the transitions below; `view` turns it into the JSON of `/api/status`, which
 * the status page renders too, so both always tell the same facts.
 */
import { Clock, Context, Effect, Option, SubscriptionRef } from "effect"
import { Desired, Plan, PlanFormat, StateDb } from "@c42/reconcile"
import type { GitSettings } from "./GitSource.js"
import * as GitSync from "./GitSync.js"
import { type ControlView, idle } from "./ControlView.js"
import { version } from "./Version.js"

/** How a pass ended: nothing left to do, something left to do (or in conflict), or it could not run. */
export type PassOutcome = "converged" | "pending" | "error"

export const passOutcomes: ReadonlyArray<PassOutcome> = ["converged", "pending", "error"]

/** One pass as the daemon saw it. */
export interface PassSummary {
  readonly startedAt: Date
  readonly finishedAt: Date
  readonly result: PassOutcome
  readonly dryRun: boolean
  readonly applied: number
  readonly failed: number
  readonly pending: number
  readonly drift: number
  readonly conflicts: number
  /**
   * The conflicts by kind, those of no kind left out; `contested`: orgs another writer changes back, to which
   * orgsync has stopped writing.
   */
  readonly conflictKinds?: Readonly<Partial<Record<Plan.ConflictKind, number>>>
  /** Failed writes, conflicts and refusals; for a pass that could not run, why. */
  readonly errors: ReadonlyArray<string>
}

export interface State {
  readonly startedAt: Date
  readonly desiredPath: string
  /** The Code42 tenant, without credentials; `undefined` when not known. */
  readonly tenantUrl: string | undefined
  readonly dryRun: boolean
  readonly desired: {
    /** `undefined` until the files are first read. */
    readonly valid: boolean | undefined
    /** The files of the desired state in force (the last good one). */
    readonly files: ReadonlyArray<string>
    /** Why the files on disk do not validate, when they do not. */
    readonly issues: ReadonlyArray<Desired.ValidationIssue>
    readonly checkedAt: Date | undefined
    /** Whether a good desired state is in force (one validated since start). */
    readonly inForce: boolean
  }
  /** When the pass under way started; `undefined` between passes. */
  readonly runningSince: Date | undefined
  readonly lastPass: PassSummary | undefined
  /** When a pass last reached Code42 and finished. */
  readonly lastSuccessAt: Date | undefined
  /** What the last pass that reached Code42 left to do. */
  readonly plan: Plan.Plan | undefined
  /** The passes of this process, newest first. */
  readonly recentPasses: ReadonlyArray<PassSummary>
  readonly nextPassAt: Date | undefined
  /** Passes failed in a row: the back-off's attempt. */
  readonly failures: number
  /** The git branch followed, when the desired files come from git. */
  readonly git: GitSync.GitState | undefined
}

/** The status, shared by the loop (which writes it) and the endpoints (which read it). */
export class DaemonStatus extends Context.Tag("@c42/daemon/DaemonStatus")<
  DaemonStatus,
  SubscriptionRef.SubscriptionRef<State>
>() {}

/** Passes kept in `recentPasses`. */
const recentLimit = 20

export interface StatusOptions {
  readonly desiredPath: string
  readonly dryRun: boolean
  /** The Code42 tenant's URL; shown without the user, password, query and fragment it may carry. */
  readonly tenantUrl?: string | undefined
  readonly git?: GitSettings | undefined
}

/** A URL as it may be shown to anyone: scheme, host, port and path only. */
export const publicUrl = (url: string): string | undefined => {
  if (!URL.canParse(url)) return undefined
  const parsed = new URL(url)
  return `${parsed.origin}${parsed.pathname === "/" ? "" : parsed.pathname}`
}

const initial = (options: StatusOptions & { readonly now: Date }): State => ({
  startedAt: options.now,
  desiredPath: options.desiredPath,
  tenantUrl: options.tenantUrl === undefined ? undefined : publicUrl(options.tenantUrl),
  dryRun: options.dryRun,
  desired: { valid: undefined, files: [], issues: [], checkedAt: undefined, inForce: false },
  runningSince: undefined,
  lastPass: undefined,
  lastSuccessAt: undefined,
  plan: undefined,
  recentPasses: [],
  nextPassAt: undefined,
  failures: 0,
  git: options.git === undefined ? undefined : GitSync.initial(options.git)
})

export const make = (options: StatusOptions) =>
  Effect.flatMap(Clock.currentTimeMillis, (now) => SubscriptionRef.make(initial({ ...options, now: new Date(now) })))

// ---------------------------------------------------------------------------------------------------------
// Transitions

export const passStarted = (at: Date) => (state: State): State => ({ ...state, runningSince: at })

export const desiredAccepted = (desired: Desired.DesiredState, at: Date) => (state: State): State => ({
  ...state,
  desired: { valid: true, files: desired.files, issues: [], checkedAt: at, inForce: true }
})

export const desiredRejected = (issues: ReadonlyArray<Desired.ValidationIssue>, at: Date) => (state: State): State => ({
  ...state,
  desired: { ...state.desired, valid: false, issues, checkedAt: at }
})

/** After a start, the last good desired state kept from before is in force again, whatever the files now hold. */
export const desiredRestored = (desired: Desired.DesiredState) => (state: State): State => ({
  ...state,
  desired: { ...state.desired, files: desired.files, inForce: true }
})

/** `plan`: what the pass left to do, when it reached Code42; `nextPassAt`: when the loop passes again. */
export const passFinished = (summary: PassSummary, plan: Plan.Plan | undefined, nextPassAt: Date) =>
(state: State): State => ({
  ...state,
  runningSince: undefined,
  lastPass: summary,
  lastSuccessAt: summary.result === "error" ? state.lastSuccessAt : summary.finishedAt,
  plan: plan ?? state.plan,
  recentPasses: [summary, ...state.recentPasses].slice(0, recentLimit),
  nextPassAt,
  failures: summary.result === "error" ? state.failures + 1 : 0
})

/** No good desired state yet: no pass until `nextPassAt` or a change to the files. */
export const passSkipped = (nextPassAt: Date) => (state: State): State => ({
  ...state,
  runningSince: undefined,
  nextPassAt
})

// ---------------------------------------------------------------------------------------------------------
// Derived facts

/** Why the daemon is not ready (`/readyz` 503), or none when the last pass reached Code42 on valid files. */
export const notReady = (state: State): Option.Option<string> => {
  const reasons: Array<string> = []
  if (state.git !== undefined) reasons.push(...Option.toArray(GitSync.notReady(state.git)))
  if (state.desired.valid === undefined) reasons.push("the desired files have not been read yet")
  if (state.desired.valid === false) {
    const count = state.desired.issues.length
    reasons.push(
      `the desired files do not validate (${PlanFormat.plural(count, "issue")})` +
        (state.desired.inForce ? "; the last good state stays in force" : "; no good state yet, so no pass runs")
    )
  }
  if (state.lastPass === undefined) {
    if (state.desired.inForce) reasons.push("no pass has finished yet")
  } else if (state.lastPass.result === "error") {
    reasons.push(`the last pass failed: ${state.lastPass.errors.join("; ")}`)
  } else if ((state.lastPass.conflictKinds?.contested ?? 0) > 0) {
    const count = state.lastPass.conflictKinds!.contested!
    reasons.push(
      `another writer changes back ${PlanFormat.plural(count, "org")} that orgsync wrote (contested): ` +
        "orgsync stopped writing to them; keep one writer per tenant"
    )
  }
  return reasons.length === 0 ? Option.none() : Option.some(reasons.join("; "))
}

/** The desired files validate and the last pass left nothing to do. */
export const inSync = (state: State): boolean =>
  state.desired.valid === true && state.lastPass?.result === "converged"

// ---------------------------------------------------------------------------------------------------------
// The JSON of /api/status

export interface PassView {
  readonly startedAt: string
  readonly finishedAt: string
  readonly durationSeconds: number
  readonly result: PassOutcome
  readonly dryRun: boolean
  readonly applied: number
  readonly failed: number
  readonly pending: number
  readonly drift: number
  readonly conflicts: number
  readonly errors: ReadonlyArray<string>
}

export interface RunView {
  readonly id: number
  readonly kind: string
  readonly startedAt: string
  readonly finishedAt: string | null
  readonly dryRun: boolean
  readonly result: string | null
  readonly counts: Readonly<Record<string, number>>
  readonly errors: ReadonlyArray<string>
  /** The git commit the run reconciled, when the desired files come from git. */
  readonly commit: StateDb.RunCommit | null
}

/** One run of the history with each write it made and how it ended (`GET /api/runs/<id>`). */
export interface RunDetail {
  readonly run: RunView
  readonly writes: ReadonlyArray<{
    readonly id: number
    readonly action: string
    readonly path: string
    /** The org written to (the one created, for a create that happened). */
    readonly orgUid: string | null
    /** `null` while the write is not settled. */
    readonly outcome: string | null
    readonly error: string | null
    readonly at: string
    readonly settledAt: string | null
  }>
}

/** With the policy's part (`policy`, `held`, `drift`, `suspended`), from `ControlView.view`. */
export interface StatusView extends ControlView {
  /** orgsync's version. */
  readonly version: string
  /** The Code42 tenant, without credentials. */
  readonly tenantUrl: string | null
  readonly inSync: boolean
  readonly ready: boolean
  /** Why not ready; `null` when ready. */
  readonly notReady: string | null
  readonly now: string
  readonly startedAt: string
  readonly dryRun: boolean
  readonly desired: {
    readonly path: string
    readonly valid: boolean | null
    readonly inForce: boolean
    readonly files: ReadonlyArray<string>
    readonly checkedAt: string | null
    readonly issues: ReadonlyArray<Desired.ValidationIssue & { readonly text: string }>
  }
  readonly running: boolean
  readonly runningSince: string | null
  readonly nextPassAt: string | null
  /** Passes failed in a row (the back-off grows with it). */
  readonly failures: number
  readonly lastPass: PassView | null
  readonly lastSuccessAt: string | null
  /** What the last pass that reached Code42 left to do (everything planned, under dry-run). */
  readonly pending: {
    readonly changes: ReadonlyArray<{
      readonly action: string
      readonly path: string
      readonly orgUid: string | null
      readonly before: unknown
      readonly after: unknown
      readonly cascadesTo: ReadonlyArray<string>
      readonly cause: string
    }>
    readonly conflicts: ReadonlyArray<{
      readonly kind: string
      readonly path: string
      readonly message: string
      readonly orgUids: ReadonlyArray<string>
    }>
    readonly unmanaged: ReadonlyArray<{
      readonly path: string
      readonly orgUid: string
      readonly orgName: string
      readonly status: string
      readonly action: string
    }>
    readonly refusal: { readonly reason: string; readonly message: string } | null
  } | null
  /** The passes of this process, newest first. */
  readonly recentPasses: ReadonlyArray<PassView>
  /** The run history of the state database, newest first. */
  readonly runs: ReadonlyArray<RunView>
  /** Why the run history could not be read, or which of its rows were left out because they could not be. */
  readonly runsError: string | null
  /** The git branch followed and the commit in force (`synced to <sha>`); `null` when the files are local. */
  readonly git: GitSync.GitView | null
}

const iso = (date: Date | undefined | null): string | null => date == null ? null : date.toISOString()

const passView = (pass: PassSummary): PassView => ({
  startedAt: pass.startedAt.toISOString(),
  finishedAt: pass.finishedAt.toISOString(),
  durationSeconds: (pass.finishedAt.getTime() - pass.startedAt.getTime()) / 1000,
  result: pass.result,
  dryRun: pass.dryRun,
  applied: pass.applied,
  failed: pass.failed,
  pending: pass.pending,
  drift: pass.drift,
  conflicts: pass.conflicts,
  errors: pass.errors
})

const runView = (run: StateDb.RunRecord): RunView => ({
  id: run.id,
  kind: run.kind,
  startedAt: run.startedAt.toISOString(),
  finishedAt: iso(run.finishedAt),
  dryRun: run.dryRun,
  result: run.result,
  counts: run.counts,
  errors: run.errors,
  commit: run.commit
})

/**
 * The status as JSON, with the run history read from the state database (or why it could not be), naming the
 * rows left out of it.
 */
export const view = (
  state: State,
  runs:
    | { readonly runs: ReadonlyArray<StateDb.RunRecord>; readonly unreadable?: ReadonlyArray<string> }
    | { readonly error: string },
  now: Date,
  control: ControlView = idle
): StatusView => {
  const reason = notReady(state)
  return {
    version,
    tenantUrl: state.tenantUrl ?? null,
    inSync: inSync(state),
    ready: Option.isNone(reason),
    notReady: Option.getOrNull(reason),
    now: now.toISOString(),
    startedAt: state.startedAt.toISOString(),
    dryRun: state.dryRun,
    desired: {
      path: state.desiredPath,
      valid: state.desired.valid ?? null,
      inForce: state.desired.inForce,
      files: state.desired.files,
      checkedAt: iso(state.desired.checkedAt),
      issues: state.desired.issues.map((issue) => ({ ...issue, text: Desired.formatIssue(issue) }))
    },
    running: state.runningSince !== undefined,
    runningSince: iso(state.runningSince),
    nextPassAt: iso(state.nextPassAt),
    failures: state.failures,
    lastPass: state.lastPass === undefined ? null : passView(state.lastPass),
    lastSuccessAt: iso(state.lastSuccessAt),
    pending: state.plan === undefined ? null : {
      changes: state.plan.changes.map(PlanFormat.changeJson),
      conflicts: state.plan.conflicts,
      unmanaged: state.plan.unmanaged,
      refusal: state.plan.refusal ?? null
    },
    ...control,
    recentPasses: state.recentPasses.map(passView),
    runs: "runs" in runs ? runs.runs.map(runView) : [],
    runsError: "error" in runs
      ? runs.error
      : runs.unreadable === undefined || runs.unreadable.length === 0
      ? null
      : `${runs.unreadable.join("; ")}: left out`,
    git: state.git === undefined ? null : GitSync.view(state.git)
  }
}

/** A run with its writes, as JSON. */
export const runDetail = (run: StateDb.RunRecord, writes: ReadonlyArray<StateDb.RunWrite>): RunDetail => ({
  run: runView(run),
  writes: writes.map((write) => ({
    id: write.id,
    action: write.action,
    path: write.path,
    orgUid: write.orgUid,
    outcome: write.outcome ?? null,
    error: write.error,
    at: write.createdAt.toISOString(),
    settledAt: iso(write.settledAt)
  }))
})
