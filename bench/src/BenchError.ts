/**
 * Why a scenario could not produce its figures (a run that did not finish or failed, a tenant too small for
 * the change set, a plan that is not what the scenario was built to produce). The benchmark reports it in the
 * scenario's place and goes on with the next one.
 */
import { Data } from "effect"

export class BenchError extends Data.TaggedError("BenchError")<{ readonly message: string }> {}

/** Any failure of a scenario's set-up, as a `BenchError` that keeps its message. */
export const fromCause = (error: { readonly message: string }): BenchError =>
  error instanceof BenchError ? error : new BenchError({ message: error.message })
