/**
 * The status page as text: what it says of the daemon's state, rendered from the same view as `/api/status`.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, SubscriptionRef } from "effect"
import * as DaemonStatus from "../../src/DaemonStatus.js"
import * as StatusPage from "../../src/StatusPage.js"
import { desiredPath, nextPassAt, pass } from "../support/daemon-fixtures.js"

const afterFailures = (failures: number) =>
  Effect.gen(function*() {
    const status = yield* DaemonStatus.make({ desiredPath, dryRun: false })
    for (let i = 0; i < failures; i++) {
      yield* SubscriptionRef.update(status, DaemonStatus.passFinished(pass({ result: "error" }), undefined, nextPassAt))
    }
    const state = yield* SubscriptionRef.get(status)
    return StatusPage.render(DaemonStatus.view(state, { runs: [] }, nextPassAt))
  })

describe("StatusPage.render", () => {
  it.effect("counts failed passes in a row in words", () =>
    Effect.gen(function*() {
      expect(yield* afterFailures(1)).toContain("1 failed pass in a row, backing off")
      expect(yield* afterFailures(2)).toContain("2 failed passes in a row, backing off")
    }))
})
