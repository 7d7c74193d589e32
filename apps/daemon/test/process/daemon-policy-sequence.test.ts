/**
 * An approved unblock, create and block again that is cut off between its steps, under `destructive: confirm`
 * and `drift: report`: by a suspension right after the unblock, or by a stop (SIGTERM) and a restart. The org
 * orgsync unblocked itself is not taken for one changed by hand: the next pass finishes the sequence (the
 * create, then the re-block) without another approval and tells no drift. `orgsync run` as a process against
 * the real simulator.
 */
import type { Simulator } from "@c42/simulator"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { auditLines, statusOf, statusUntil } from "../support/admin-api.js"
import { credentials, workspace } from "../support/cli.js"
import { type RunningDaemon, startDaemon, until } from "../support/daemon.js"
import { byHand, named, start } from "../support/simulator.js"
import { receiver } from "../support/webhook.js"

const token = "policy-sequence-token-0123456789"
const env = { ...credentials, ORGSYNC_ADMIN_TOKEN: token }
const orgs = "orgs:\n  - name: Engineering\n    children:\n      - name: Platform\n  - name: Sales\n    extRef: S-0\n" +
  "    status: blocked\n"

/** An admin request sent straight away (no CLI to start): the cut must land between two writes. */
const post = (daemon: RunningDaemon, path: string, body: unknown) =>
  Effect.promise(() =>
    fetch(`${daemon.url}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body)
    }).then((r) => {
      if (!r.ok) throw new Error(`POST ${path}: ${r.status}`)
    })
  )

/**
 * Sales blocked, as the files ask; the files then add SalesKid under it, and the daemon holds the sequence.
 * Every call to Code42 then takes 1.5 s and the sequence is approved; answers once the unblock is applied.
 */
const approveAndReachUnblock = Effect.gen(function*() {
  const sim = yield* start()
  const hook = yield* receiver()
  yield* byHand(sim, "PUT", `/api/v1/OrgBlock/${named(sim, "Sales")[0]!.orgId}`)
  const ws = workspace(orgs)
  const args = [
    "--desired", ws.desired, "--state", ws.state, "--url", sim.url, "--interval", "1h", "--notify", hook.url,
    "--destructive", "confirm", "--drift", "report"
  ]
  const daemon = yield* startDaemon(args, env)
  yield* statusUntil(daemon, (s) => s.recentPasses.length > 0 && s.pending?.changes.length === 0)
  ws.write(orgs + "    children:\n      - name: SalesKid\n")
  yield* statusUntil(daemon, (s) => s.held.some((h) => h.action === "block") && s.runningSince === null)
  const block = (yield* statusOf(daemon)).held.find((h) => h.action === "block")!
  sim.setFaults({ latencyMs: 1500 })
  yield* post(daemon, "/api/approvals", { ids: [block.id] })
  const unblocked = () => auditLines(daemon.output()).some((a) => a.action === "unblock" && a.result === "applied")
  yield* until(unblocked, 30_000, daemon.output)
  return { sim, hook, args, daemon }
})

/** Sales blocked again and SalesKid created, nothing left pending or held, and no drift told or shown. */
const finished = (sim: Simulator.Handle, daemon: RunningDaemon) =>
  Effect.gen(function*() {
    yield* until(() => named(sim, "SalesKid").length === 1 && named(sim, "Sales")[0]!.blocked === true, 30_000, daemon.output)
    yield* statusUntil(daemon, (s) => s.runningSince === null && s.pending?.changes.length === 0 && s.held.length === 0)
    const status = yield* statusOf(daemon)
    expect(status.drift).toEqual([])
    expect(named(sim, "SalesKid")[0]!.blocked).toBe(true)
  })

describe("orgsync run: an approved sequence cut off between its steps", () => {
  it.scopedLive("suspended after the unblock: resume finishes it, the re-block as the file's, no drift told", () =>
    Effect.gen(function*() {
      const { daemon, hook, sim } = yield* approveAndReachUnblock
      yield* post(daemon, "/api/suspend", {})
      yield* statusUntil(daemon, (s) => s.suspended && s.runningSince === null)
      expect(named(sim, "Sales")[0]!.blocked, "the cut left Sales open").toBe(false)

      sim.setFaults({ latencyMs: 0 })
      yield* post(daemon, "/api/resume", {})
      yield* finished(sim, daemon)
      expect(hook.received().map((r) => r.body.event)).not.toContain("drift")
      const sales = auditLines(daemon.output()).filter((a) => a.path === "Sales")
      expect(sales.map((a) => `${a.action} ${a.cause} ${a.result}`)).toEqual([
        "unblock desired applied",
        "block desired applied"
      ])
    }), 120_000)

  it.scopedLive("stopped after the unblock and started again: the new daemon finishes it, no drift told", () =>
    Effect.gen(function*() {
      const { args, daemon, hook, sim } = yield* approveAndReachUnblock
      daemon.process.kill("SIGTERM")
      expect(yield* Effect.promise(() => daemon.exited)).toBe(0)
      expect(named(sim, "Sales")[0]!.blocked, "the cut left Sales open").toBe(false)

      sim.setFaults({ latencyMs: 0 })
      const again = yield* startDaemon(args, env)
      yield* finished(sim, again)
      expect(hook.received().map((r) => r.body.event)).not.toContain("drift")
      const sales = auditLines(again.output()).filter((a) => a.path === "Sales")
      expect(sales.map((a) => `${a.action} ${a.cause} ${a.result}`)).toEqual(["block desired applied"])
    }), 120_000)
})
