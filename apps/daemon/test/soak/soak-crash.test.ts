/**
 * Soak under crashes: `orgsync apply` of a large tree is killed with SIGKILL at random moments and started
 * again each time, as a server that loses power would; the journal in the state database must let every
 * restart resolve what the last one left unsettled, so that the tenant ends exactly as desired without a
 * duplicate. `npm run soak` kills it 30 times during a 2,000-org apply.
 */
import { Simulator } from "@c42/simulator"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Option } from "effect"
import { credentials, workspace } from "../support/cli.js"
import { spawnOrgsync } from "../support/orgsync-process.js"
import { RandomTree } from "../support/random-tree.js"
import { tally, writes } from "../support/request-log.js"
import * as Soak from "../support/soak-scale.js"
import { applyUntilConverged, journalOutcomes, managedRoot, tenant } from "../support/soak-tenant.js"

const orgCount = Soak.scaled(300, 2_000)
const kills = Soak.scaled(5, 30)

describe(`soak: crashes (${Soak.label}, seed ${Soak.seed})`, () => {
  for (const [server, rules] of Soak.servers) {
    it.scopedLive(`${kills} SIGKILLs during a ${orgCount}-org apply leave the tenant exactly as desired (${server})`, () =>
      Effect.gen(function*() {
        const random = Soak.random()
        const sim = yield* Simulator.start({
          port: 0,
          seed: tenant,
          randomSeed: Soak.seed,
          rules,
          faults: { latencyMs: 2, jitterMs: 8 }
        })
        const tree = RandomTree.generate(orgCount, random, managedRoot)
        const ws = workspace(tree.yaml())
        const common = ["--desired", ws.desired, "--state", ws.state, "--url", sim.url]
        const started = Date.now()
        const initial = sim.orgs().length

        let restartsWithUnsettled = 0
        let unsettledEntries = 0
        for (let i = 0; i < kills; i++) {
          const apply = yield* spawnOrgsync(["apply", ...common, "--yes"], credentials)
          // From inside start-up to well into the writes (start-up takes about a second).
          const finished = yield* Effect.timeoutOption(apply.exited, Duration.millis(300 + random.integer(2_700)))
          // The apply must still be running when it is killed, or the soak proves nothing.
          expect(Option.map(finished, (exit) => `ended by itself: ${exit.code} ${exit.stderr}`)).toEqual(Option.none())
          apply.kill("SIGKILL")
          expect((yield* apply.exited).signal).toBe("SIGKILL")
          const unsettled = (yield* journalOutcomes(ws.state))["unsettled"] ?? 0
          if (unsettled > 0) restartsWithUnsettled++
          unsettledEntries += unsettled
        }
        const createdBeforeRecovery = sim.orgs().length - initial

        const applies = yield* applyUntilConverged(common, 3)
        const after = sim.orgs()
        expect(tree.mismatches(after)).toEqual([])
        const journal = yield* journalOutcomes(ws.state)
        expect(journal["unsettled"] ?? 0).toBe(0)
        const requests = sim.requests()
        const creates = writes(requests).filter((write) => write.target === undefined).length

        console.log(
          `soak crashes (${Soak.label}, seed ${Soak.seed}): ${kills} SIGKILLs during a ${orgCount}-org apply ` +
            `(${createdBeforeRecovery} orgs created by then); ${restartsWithUnsettled} restarts found unsettled ` +
            `journal entries (${unsettledEntries} in all); recovered in ${applies} more applies; journal ` +
            `${JSON.stringify(journal)}; ${tally(requests)}, ${creates} create requests; ` +
            `${Soak.secondsSince(started)} s`
        )
      }), Soak.scaled(120_000, 1_200_000))
  }
})
