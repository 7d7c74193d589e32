/** `orgsync status`: the last runs, the snapshot's age and the pending changes, from the state database. */
import { FileSystem } from "@effect/platform"
import { DesiredFiles, PlanFormat, Printable, StateDb } from "@c42/reconcile"
import { Console, Effect, Option } from "effect"
import type * as CommandFlags from "../CommandFlags.js"
import * as Connection from "../Connection.js"
import { exitWith, ok } from "../ExitCode.js"
import * as Settings from "../Settings.js"
import { offlinePlan, planText } from "./planning.js"

const ago = (date: Date) => {
  const seconds = Math.max(0, Math.round((Date.now() - date.getTime()) / 1000))
  return seconds < 120 ? `${seconds} s ago` : seconds < 7200 ? `${Math.round(seconds / 60)} min ago` : `${Math.round(seconds / 3600)} h ago`
}

const report = (settings: Settings.Settings) =>
  Effect.gen(function*() {
    const db = yield* StateDb.StateReader
    const fs = yield* FileSystem.FileSystem
    // What can be read is shown: a row that does not decode is named in a warning and left out, not the end of it.
    const { unreadable: runsLeftOut, value: runs } = yield* db.readableRuns(10)
    const { unreadable: orgsLeftOut, value: snapshot } = yield* db.readableSnapshot
    for (const sentence of [...orgsLeftOut, ...runsLeftOut]) {
      yield* Console.error(`orgsync: warning: ${Printable.printable(sentence)}`)
    }
    yield* Console.log(`State database: ${settings.state}`)
    const leftOut = orgsLeftOut.length === 0
      ? ""
      : `; ${PlanFormat.plural(orgsLeftOut.length, "org")} left out, which cannot be read`
    yield* Console.log(
      Option.match(snapshot, {
        onNone: () =>
          orgsLeftOut.length > 0
            ? "Snapshot: cannot be read (the next apply or pass records a new one)"
            : "Snapshot: none yet (orgsync apply or orgsync run records one)",
        onSome: (s) => `Snapshot: ${s.orgs.length} orgs, taken ${s.takenAt.toISOString()} (${ago(s.takenAt)})${leftOut}`
      })
    )
    yield* Console.log(runs.length === 0 ? "Runs: none yet" : "Last runs:")
    for (const run of runs) {
      const counts = Object.entries(run.counts).map(([k, v]) => `${k}=${v}`).join(" ")
      // What the database holds (an error text, a commit's subject) is escaped as plans are, one line each.
      yield* Console.log(Printable.printable(
        `  #${run.id} ${run.kind}${run.dryRun ? " (dry run)" : ""} ${run.startedAt.toISOString()} ${run.result ?? "running"} ${counts}` +
          (run.commit === null ? "" : ` git ${run.commit.sha.slice(0, 7)} ${run.commit.subject}`)
      ))
      for (const error of run.errors.slice(0, 5)) yield* Console.log(`      ${Printable.printable(error)}`)
    }
    if (Option.isNone(snapshot)) return
    if (orgsLeftOut.length > 0) {
      yield* Console.log("Pending: unknown, the snapshot cannot be read whole (the next apply or pass records a new one)")
      return
    }
    if (!(yield* fs.exists(settings.desired).pipe(Effect.orElseSucceed(() => false)))) {
      yield* Console.log(
        `Pending: unknown, ${settings.desired} does not exist (name the desired files with --desired or ORGSYNC_DESIRED)`
      )
      return
    }
    const desiredState = yield* DesiredFiles.load(settings.desired).pipe(Effect.option)
    if (Option.isNone(desiredState)) {
      yield* Console.log(`Pending: unknown, ${settings.desired} does not validate (run orgsync validate)`)
    } else {
      yield* Console.log("Pending, as of the snapshot:")
      yield* Console.log(planText(yield* offlinePlan(desiredState.value, settings)))
    }
  }).pipe(Effect.provide(Connection.reader(settings)))

export const handle = (flags: CommandFlags.Values<typeof CommandFlags.status>) =>
  exitWith(Settings.resolve(flags).pipe(Effect.flatMap(report), Effect.as(ok)))
