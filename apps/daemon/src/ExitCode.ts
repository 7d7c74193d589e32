/**
 * The exit codes of the command line (Terraform's `-detailed-exitcode` convention for plan: 0 no changes,
 * 2 changes pending, 1 error) and how a command answers with one.
 */
import { Context, Data, Effect, Ref } from "effect"

export const ok = 0
export const failure = 1
export const pendingChanges = 2
export const usage = 2

/** A command cannot do what it was asked, for a reason `message` gives in one sentence (exit 1). */
export class CommandFailed extends Data.TaggedError("CommandFailed")<{
  readonly message: string
  readonly cause?: unknown
}> {}

/** The exit code a command answers with (@effect/cli handlers return nothing). */
export class ExitCode extends Context.Tag("@c42/daemon/ExitCode")<ExitCode, Ref.Ref<number>>() {}

/** Wraps a handler whose result is the exit code. */
export const exitWith = <E, R>(handler: Effect.Effect<number, E, R>) =>
  Effect.flatMap(handler, (code) => Effect.flatMap(ExitCode, (ref) => Ref.set(ref, code)))
