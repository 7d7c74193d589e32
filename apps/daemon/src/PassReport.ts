/**
 * What the daemon makes of a finished pass: its summary for the status and the metrics, the one log line it
 * gets, and a warning per contested org.
 */
import { Duration, Effect, Either, Option } from "effect"
import type { Reconciler } from "@c42/reconcile"
import type * as DaemonStatus from "./DaemonStatus.js"

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
      contested: pass.pending.conflicts.filter((conflict) => conflict.kind === "contested").length,
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

/** One warning per contested org: another writer changes it back, and orgsync has stopped writing to it. */
export const logContested = (pass: Reconciler.PassResult) =>
  Effect.forEach(
    pass.pending.conflicts.filter((conflict) => conflict.kind === "contested"),
    (conflict) =>
      Effect.logWarning(`contested: ${conflict.message}`).pipe(
        Effect.annotateLogs({ path: conflict.path, org_uid: conflict.orgUids.join(",") })
      ),
    { discard: true }
  )
