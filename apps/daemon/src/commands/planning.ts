/**
 * What plan, apply and status share: a plan from the state database alone, and a plan's rows as a terminal
 * shows them.
 */
import { type Desired, Plan, PlanFormat, type Policy, Reconciler, Safety, StateDb } from "@c42/reconcile"
import { Effect, Option } from "effect"
import { CommandFailed } from "../ExitCode.js"
import type * as Settings from "../Settings.js"
import * as Style from "../Style.js"

/** Plans from the last snapshot and identity mapping alone, read from the state database read-only. */
export const offlinePlan = (desiredState: Desired.DesiredState, settings: Settings.Settings) =>
  Effect.gen(function*() {
    const db = yield* StateDb.StateReader
    const snapshot = yield* db.snapshot
    if (Option.isNone(snapshot)) {
      return yield* new CommandFailed({ message: `no snapshot in ${db.path} yet: orgsync apply or orgsync run records one` })
    }
    const identities = yield* db.identities
    const current = yield* Reconciler.lastSignedInOrg
    const made = Plan.make({
      desired: desiredState,
      remote: snapshot.value.orgs,
      identities,
      settings: { currentOrgUid: Option.getOrUndefined(current), canBlock: settings.api !== "gateway", drift: settings.drift }
    })
    return Safety.review(made, { desired: desiredState, force: false })
  })

/**
 * A plan's terminal rendering, coloured by `style` (by default, that of stdout), with the changes the policy
 * keeps back (`kept`) apart.
 */
export const planText = (plan: Plan.Plan, style: Style.Style = Style.stdout(), kept: ReadonlyArray<Policy.Kept> = []) =>
  PlanFormat.text(plan, Style.plan(style), kept)
