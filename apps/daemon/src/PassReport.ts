/**
 * What the daemon makes of a finished pass: its summary for the status and the metrics, the one log line it
 * gets, and the contested orgs as they start and end.
 */
import { Duration, Effect, Either, Option, Ref } from "effect"
import type { Plan, Reconciler } from "@c42/reconcile"
import type * as DaemonStatus from "./DaemonStatus.js"

/** How many conflicts of each kind there are. */
const conflictKinds = (conflicts: ReadonlyArray<Plan.Conflict>): Partial<Record<Plan.ConflictKind, number>> => {
  const byKind: Partial<Record<Plan.ConflictKind, number>> = {}
  for (const { kind } of conflicts) byKind[kind] = (byKind[kind] ?? 0) + 1
  return byKind
}

/** The summary of a pass as the status, the metrics and the log show it; an error is a pass that could not run. */
export const summarize = (
  startedAt: Date,
  finishedAt: Date,
  dryRun: boolean,
  result: Either.Either<Reconciler.PassResult, Reconciler.ReconcileError>
): DaemonStatus.PassSummary =>
  Either.match(result, {
    onLeft: (error) => ({
      startedAt,
      finishedAt,
      result: "error",
      dryRun,
      applied: 0,
      failed: 0,
      pending: 0,
      drift: 0,
      conflicts: 0,
      errors: [error.message]
    }),
    onRight: (pass) => ({
      startedAt,
      finishedAt,
      result: pass.converged ? "converged" : "pending",
      dryRun,
      applied: pass.applied,
      failed: pass.failed,
      pending: pass.pending.changes.length,
      drift: pass.drift,
      conflicts: pass.pending.conflicts.length,
      conflictKinds: conflictKinds(pass.pending.conflicts),
      errors: pass.errors
    })
  })

/** One line per pass, with its counts, its duration and when the next one is due. */
export const logPass = (summary: DaemonStatus.PassSummary, error: Option.Option<Reconciler.ReconcileError>, delay: Duration.Duration) => {
  const log = Option.match(error, {
    onNone: () => Effect.logInfo("reconciled"),
    onSome: (error) => (error.transient ? Effect.logWarning : Effect.logError)(`reconcile failed: ${error.message}`)
  })
  return log.pipe(Effect.annotateLogs({
    result: summary.result,
    dry_run: summary.dryRun,
    applied: summary.applied,
    failed: summary.failed,
    pending: summary.pending,
    drift: summary.drift,
    conflicts: summary.conflicts,
    duration_ms: summary.finishedAt.getTime() - summary.startedAt.getTime(),
    next_pass_in_ms: Duration.toMillis(delay)
  }))
}

/**
 * The log of contested orgs: a warning as an org becomes contested (another writer changes it back, and orgsync
 * has stopped writing to it), a line once it no longer is; an org that stays contested is not logged again at
 * every pass.
 */
export const contestLog = Effect.map(
  Ref.make(new Map<string, string>()),
  (logged) => (pass: Reconciler.PassResult) =>
    Effect.gen(function*() {
      const contested = pass.pending.conflicts.filter((conflict) => conflict.kind === "contested")
      const key = (orgUids: ReadonlyArray<string>) => orgUids.join(",")
      const before = yield* Ref.getAndSet(logged, new Map(contested.map((c) => [key(c.orgUids), c.path])))
      for (const conflict of contested) {
        if (before.has(key(conflict.orgUids))) continue
        yield* Effect.logWarning(`contested: ${conflict.message}`).pipe(
          Effect.annotateLogs({ path: conflict.path, org_uid: key(conflict.orgUids) })
        )
      }
      const now = new Set(contested.map((c) => key(c.orgUids)))
      for (const [orgUids, path] of before) {
        if (!now.has(orgUids)) {
          yield* Effect.logInfo(`no longer contested: ${path}`).pipe(Effect.annotateLogs({ path, org_uid: orgUids }))
        }
      }
    })
)
