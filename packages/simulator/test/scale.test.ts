import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Simulator } from "../src/index.js"
import { signIn } from "./support.js"

/** The median time of `runs` page reads, after a warm-up. */
const medianPageMillis = (sim: Simulator.Handle, token: string, path: string, runs = 15) =>
  Effect.promise(async () => {
    const read = async () => {
      const started = performance.now()
      const response = await fetch(`${sim.url}${path}`, { headers: { authorization: `Bearer ${token}` } })
      const body = (await response.json()) as { readonly data: { readonly orgs: ReadonlyArray<unknown> } }
      if (body.data.orgs.length === 0) throw new Error(`Empty page at ${path}`)
      return performance.now() - started
    }
    for (let i = 0; i < 5; i++) await read()
    const times: Array<number> = []
    for (let i = 0; i < runs; i++) times.push(await read())
    return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!
  })

describe("scale", () => {
  it.scoped("serves a page from 100,000 orgs about as fast as from a small tenant", () =>
    Effect.gen(function*() {
      const large = yield* Simulator.start({ port: 0, generate: 100_000, randomSeed: 1 })
      expect(large.orgs()).toHaveLength(100_000)
      const small = yield* Simulator.start({ port: 0, generate: 500, randomSeed: 1 })
      const tiny = yield* Simulator.start({ port: 0, generate: 100, randomSeed: 1 })
      const largeToken = yield* signIn(large)

      const smallPage = yield* medianPageMillis(small, yield* signIn(small), "/api/v1/Org?pgNum=1&pgSize=500")
      const largePage = yield* medianPageMillis(large, largeToken, "/api/v1/Org?pgNum=150&pgSize=500")
      const tinyPage = yield* medianPageMillis(tiny, yield* signIn(tiny), "/api/v1/Org?pgNum=1&pgSize=100")
      const largeSmallPage = yield* medianPageMillis(large, largeToken, "/api/v1/Org?pgNum=900&pgSize=100")
      // Generous bounds: a whole-tree scan per request would cost about 200x (or 1000x) more.
      expect(largePage).toBeLessThan(5 * Math.max(smallPage, 1))
      expect(largeSmallPage).toBeLessThan(5 * Math.max(tinyPage, 1))
    }), 60_000)
})
