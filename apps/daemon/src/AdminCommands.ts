/**
 * `orgsync approve <id>|--all`, `orgsync reject <id>`, `orgsync suspend` and `orgsync resume`: each reaches
 * the running daemon's admin API and answers with an exit code, 0 done, 1 not done (with one line saying why).
 */
import type { HttpClient } from "@effect/platform"
import { PlanFormat } from "@c42/reconcile"
import { Console, Effect } from "effect"
import * as AdminClient from "./AdminClient.js"

const ok = 0
const failure = 1

/** Runs an admin request; its error is printed as one line, exit 1. */
const attempt = <R>(request: Effect.Effect<number, AdminClient.AdminClientError, R>) =>
  request.pipe(Effect.catchAll((error) => Effect.as(Console.error(`orgsync: ${error.message}`), failure)))

const heldList = (json: unknown, key: "approved" | "rejected"): ReadonlyArray<AdminClient.HeldJson> =>
  typeof json === "object" && json !== null && key in json && Array.isArray((json as Record<string, unknown>)[key])
    ? (json as Record<string, ReadonlyArray<AdminClient.HeldJson>>)[key]!
    : []

export const approve = (
  listen: AdminClient.Listen,
  ids: ReadonlyArray<string> | "all"
): Effect.Effect<number, never, HttpClient.HttpClient> =>
  attempt(Effect.gen(function*() {
    const json = yield* AdminClient.call(listen, "/api/approvals", ids === "all" ? { all: true } : { ids })
    const approved = heldList(json, "approved")
    yield* Console.log(
      [`Approved ${PlanFormat.plural(approved.length, "held change")}:`, ...AdminClient.describeHeld(approved)]
        .join("\n")
    )
    yield* Console.log("A pass starts now and applies them if it plans them unchanged; /api/status shows the result.")
    return ok
  }))

export const reject = (
  listen: AdminClient.Listen,
  ids: ReadonlyArray<string>
): Effect.Effect<number, never, HttpClient.HttpClient> =>
  attempt(Effect.gen(function*() {
    const json = yield* AdminClient.call(listen, "/api/rejections", { ids })
    const rejected = heldList(json, "rejected")
    yield* Console.log(
      [`Rejected ${PlanFormat.plural(rejected.length, "held change")}:`, ...AdminClient.describeHeld(rejected)]
        .join("\n")
    )
    yield* Console.log("They stay unapplied while the plan holds them unchanged; orgsync approve still applies one.")
    return ok
  }))

export const suspension = (
  listen: AdminClient.Listen,
  suspend: boolean
): Effect.Effect<number, never, HttpClient.HttpClient> =>
  attempt(Effect.gen(function*() {
    const json = yield* AdminClient.call(listen, suspend ? "/api/suspend" : "/api/resume")
    const changed = typeof json === "object" && json !== null && "changed" in json && json.changed === true
    yield* Console.log(
      suspend
        ? changed
          ? "Suspended: the daemon plans and shows, and makes no write until orgsync resume."
          : "Already suspended."
        : changed
        ? "Resumed: a pass starts now."
        : "Not suspended: nothing to resume."
    )
    return ok
  }))
