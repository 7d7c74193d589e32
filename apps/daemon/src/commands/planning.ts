/**
 * What validate, plan, apply and status share: the desired files loaded with their issues printed, and a plan
 * from the state database alone.
 */
import { Desired, DesiredFiles, Plan, Reconciler, Safety, StateDb } from "@c42/reconcile"
import { Console, Effect, Option } from "effect"
import type * as Settings from "../Settings.js"

/**
 * Loads and validates the desired files; on failure prints the `file:line:column` issues (at most 100 a file),
 * and on success the warnings of likely mistakes.
 */
export const loadDesired = (path: string) =>
  DesiredFiles.load(path).pipe(
    Effect.tapError((invalid) => Console.error(Desired.formatIssues(invalid.issues).join("\n"))),
    Effect.tap((state) =>
      Effect.forEach(state.warnings ?? [], (warning) =>
        Console.error(Desired.formatIssue({ ...warning, message: `warning: ${warning.message}` })))
    )
  )

/** Plans from the last snapshot and identity mapping alone. */
export const offlinePlan = (desiredState: Desired.DesiredState, settings: Settings.Settings) =>
  Effect.gen(function*() {
    const db = yield* StateDb.StateDb
    const snapshot = yield* db.snapshot
    if (Option.isNone(snapshot)) {
      return yield* Effect.fail(`no snapshot in ${db.path} yet: run orgsync plan without --offline first`)
    }
    const identities = yield* db.identities
    const current = yield* Reconciler.lastSignedInOrg
    const made = Plan.make({
      desired: desiredState,
      remote: snapshot.value.orgs,
      identities,
      settings: { currentOrgUid: Option.getOrUndefined(current), canBlock: settings.api !== "gateway" }
    })
    return Safety.review(made, { desired: desiredState, force: false })
  })
