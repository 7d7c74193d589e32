/**
 * Reading a listing's pages a few at once, with time driven by TestClock: a page is asked for as soon as a slot
 * of those in flight frees, in the listing's order.
 */
import { describe, expect, it } from "@effect/vitest"
import { Clock, Duration, Effect, Fiber, TestClock } from "effect"
import * as Listing from "../src/internal/listing.js"
import * as Org from "../src/Org.js"

describe("reading ahead", () => {
  it.effect("a page is asked for as soon as one of those in flight is in, not once all of them are", () =>
    Effect.gen(function*() {
      const asked = new Map<number, number>()
      // One org a page, eight in all; page 3 is slow to come.
      const fetch = (pgNum: number) =>
        Effect.gen(function*() {
          asked.set(pgNum, yield* Clock.currentTimeMillis)
          yield* Effect.sleep(pgNum === 3 ? "1 second" : "100 millis")
          return new Org.OrgPage({
            totalCount: 8,
            orgs: [new Org.Org({ orgId: pgNum, orgUid: `${1000 + pgNum}`, orgName: `Org ${pgNum}` })]
          })
        })
      const fiber = yield* Effect.fork(Listing.read("getAll", fetch, 1, Duration.millis(100)))
      yield* TestClock.adjust("1 minute")
      const pages = yield* Fiber.join(fiber)
      expect(pages.map((page) => page.orgs[0]!.orgId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
      // The first page at 0 tells the count; pages 2 to 5 are asked for at 100 ms. Page 6 goes when page 2 is
      // in, at 200 ms, while page 3 is still on its way.
      expect([1, 2, 3, 4, 5, 6].map((pgNum) => asked.get(pgNum))).toEqual([0, 100, 100, 100, 100, 200])
    }))
})
