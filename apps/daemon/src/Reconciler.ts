/**
 * One reconcile pass, level-based and safe to repeat: settle the journal, read the remote tree, plan against
 * the desired state, apply (unless dry-run), re-read and re-plan until nothing is left or a round makes no
 * progress, and record the run in the state database.
 */
import { Context, Data, type Effect } from "effect"
import type { DesiredState } from "./Desired.js"
import type { Plan } from "./Plan.js"

export interface PassOptions {
  readonly dryRun: boolean
  /** Lifts the 25% threshold (the CLI's `--force`; the daemon never forces). */
  readonly force: boolean
}

export interface PassResult {
  readonly startedAt: Date
  readonly finishedAt: Date
  readonly dryRun: boolean
  /** What is still to do after the pass (everything planned, under dry-run). */
  readonly pending: Plan
  /** Writes made and writes that failed. */
  readonly applied: number
  readonly failed: number
  /** Changes with cause `drift` found at the start of the pass. */
  readonly drift: number
  /** One line per failed write or unresolved problem. */
  readonly errors: ReadonlyArray<string>
  /** Nothing pending, no conflict, no refusal. */
  readonly converged: boolean
}

/** A pass that could not run: `transient` ones (Code42 unreachable, rate limited) are retried with back-off. */
export class ReconcileError extends Data.TaggedError("ReconcileError")<{
  readonly message: string
  readonly transient: boolean
  readonly cause?: unknown
}> {}

export class Reconciler extends Context.Tag("@c42/daemon/Reconciler")<Reconciler, {
  readonly pass: (desired: DesiredState, options: PassOptions) => Effect.Effect<PassResult, ReconcileError>
}>() {}
