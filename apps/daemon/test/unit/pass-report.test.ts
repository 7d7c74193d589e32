import { describe, expect, it } from "@effect/vitest"
import { Effect, Logger } from "effect"
import { contestLog } from "../../src/PassReport.js"
import { conflict, passResult, plan } from "../support/daemon-fixtures.js"

const contested = (path: string, uid: string) => ({ ...conflict(path, `${path} was changed back twice`), kind: "contested" as const, orgUids: [uid] })

describe("contestLog", () => {
  it.effect("logs an org as it becomes contested and once it no longer is, not at every pass while it stays", () =>
    Effect.gen(function*() {
      const logged: Array<string> = []
      const capture = Logger.make(({ logLevel, message }) => logged.push(`${logLevel.label} ${String(message)}`))
      const log = yield* contestLog
      const pass = (...conflicts: ReadonlyArray<ReturnType<typeof contested>>) => log(passResult({ pending: plan([], conflicts) }))
      yield* Effect.gen(function*() {
        yield* pass(contested("Sales", "u/s"))
        yield* pass(contested("Sales", "u/s"))
        yield* pass(contested("Sales", "u/s"), contested("Legal", "u/l"))
        yield* pass(contested("Legal", "u/l"))
        yield* pass()
      }).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, capture)))
      expect(logged).toEqual([
        "WARN contested: Sales was changed back twice",
        "WARN contested: Legal was changed back twice",
        "INFO no longer contested: Sales",
        "INFO no longer contested: Legal"
      ])
    }))
})
