/**
 * Approvals and rejections outlive the daemon: they are kept in the state database, so that a restart neither
 * forgets a person's decision nor stretches it. An approval still covers exactly the held change it names
 * (its checksum) and lapses when the plan has changed by the time a pass may apply it.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { credentials, orgsync, workspace } from "../support/cli.js"
import { getJson, type RunningDaemon, startDaemon, until } from "../support/daemon.js"
import { named, start } from "../support/simulator.js"

const token = "decisions-admin-token-0123456789"
const env = { ...credentials, ORGSYNC_ADMIN_TOKEN: token }

interface Status {
  readonly held: ReadonlyArray<{
    readonly id: string
    readonly path: string
    readonly action: string
    readonly state: string
    readonly approved: boolean
    readonly since: string
  }>
  readonly suspended: boolean
  readonly recentPasses: ReadonlyArray<unknown>
}

const statusOf = (daemon: RunningDaemon) => getJson<Status>(`${daemon.url}/api/status`)

const statusUntil = (daemon: RunningDaemon, check: (status: Status) => boolean) =>
  until(
    () => fetch(`${daemon.url}/api/status`).then((r) => r.json() as Promise<Status>).then(check),
    30_000,
    daemon.output
  )

const admin = (daemon: RunningDaemon, ...args: ReadonlyArray<string>) =>
  Effect.flatMap(
    orgsync([...args, "--listen", daemon.url.replace("http://", "")], { ORGSYNC_ADMIN_TOKEN: token }),
    (run) => run.code === 0 ? Effect.succeed(run) : Effect.die(new Error(`orgsync ${args.join(" ")}: ${run.stderr}`))
  )

const stop = (daemon: RunningDaemon) =>
  Effect.gen(function*() {
    daemon.process.kill("SIGTERM")
    expect(yield* Effect.promise(() => daemon.exited)).toBe(0)
  })

const orgs = "orgs:\n  - name: Engineering\n  - name: Sales\n    status: deactivated\n  - name: Support\n"

/** A daemon under `destructive: confirm` that holds the deactivation of Sales, suspended so that no pass applies it. */
const heldAndSuspended = Effect.gen(function*() {
  const sim = yield* start()
  const ws = workspace(orgs)
  const args = ["--desired", ws.desired, "--state", ws.state, "--url", sim.url, "--destructive", "confirm", "--interval", "1h"]
  const daemon = yield* startDaemon(args, env)
  yield* statusUntil(daemon, (s) => s.held.length === 1)
  yield* admin(daemon, "suspend")
  const held = (yield* statusOf(daemon)).held[0]!
  expect(held).toMatchObject({ action: "deactivate", path: "Sales", state: "held" })
  return { sim, ws, args, daemon, held }
})

describe("orgsync run: decisions across a restart", () => {
  it.scopedLive("a held change is shown held since it was first held, also after a restart", () =>
    Effect.gen(function*() {
      const { args, daemon, held } = yield* heldAndSuspended
      yield* stop(daemon)
      // Restarted a while later: a since taken afresh would differ.
      yield* Effect.sleep("1100 millis")
      const again = yield* startDaemon(args, env)
      yield* statusUntil(again, (s) => s.recentPasses.length > 0 && s.held.length === 1)
      expect((yield* statusOf(again)).held[0]).toMatchObject({ id: held.id, since: held.since })
    }), 120_000)

  it.scopedLive("an approval given before a restart is applied by the first pass that may write after it", () =>
    Effect.gen(function*() {
      const { args, daemon, held, sim } = yield* heldAndSuspended
      yield* admin(daemon, "approve", held.id)
      yield* statusUntil(daemon, (s) => s.held[0]?.approved === true)
      yield* stop(daemon)
      expect(named(sim, "Sales")[0]!.active).toBe(true)

      const again = yield* startDaemon(args, env)
      yield* statusUntil(again, (s) => s.recentPasses.length > 0 && s.held.length === 1)
      // Still suspended: the approval waits, and is shown.
      expect((yield* statusOf(again)).held[0]).toMatchObject({ id: held.id, approved: true })
      expect(named(sim, "Sales")[0]!.active).toBe(true)
      yield* admin(again, "resume")
      yield* until(() => named(sim, "Sales")[0]!.active === false, 30_000, again.output)
      yield* statusUntil(again, (s) => s.held.length === 0)
    }), 120_000)

  it.scopedLive("a rejection given before a restart still holds the change as rejected after it", () =>
    Effect.gen(function*() {
      const { args, daemon, held, sim } = yield* heldAndSuspended
      yield* admin(daemon, "resume")
      yield* admin(daemon, "reject", held.id)
      yield* stop(daemon)

      const again = yield* startDaemon(args, env)
      yield* statusUntil(again, (s) => s.recentPasses.length > 0 && s.held.length === 1)
      expect((yield* statusOf(again)).held[0]).toMatchObject({ id: held.id, state: "rejected", approved: false })
      expect(named(sim, "Sales")[0]!.active).toBe(true)
    }), 120_000)

  it.scopedLive("an approval lapses when the plan changed while the daemon was stopped: the new change is held, not applied", () =>
    Effect.gen(function*() {
      const { args, daemon, held, sim, ws } = yield* heldAndSuspended
      yield* admin(daemon, "approve", held.id)
      yield* stop(daemon)
      // Sales is to be blocked now, not deactivated: another change, another checksum.
      ws.write(orgs.replace("status: deactivated", "status: blocked"))

      const again = yield* startDaemon(args, env)
      yield* admin(again, "resume")
      yield* statusUntil(again, (s) => s.held[0]?.action === "block" && !s.suspended)
      yield* until(() => /approval of \w+ lapsed/.test(again.output()), 30_000, again.output)
      expect(again.output()).toContain(`approval of ${held.id} lapsed`)
      const now = (yield* statusOf(again)).held[0]!
      expect(now).toMatchObject({ path: "Sales", state: "held", approved: false })
      expect(now.id).not.toBe(held.id)
      expect(named(sim, "Sales")[0]).toMatchObject({ active: true, blocked: false })
    }), 120_000)

  it.scopedLive("an approval given while suspended lapses once a plan drops its change: brought back, the change is held again", () =>
    Effect.gen(function*() {
      const { args, daemon, held, sim, ws } = yield* heldAndSuspended
      yield* admin(daemon, "approve", held.id)
      yield* statusUntil(daemon, (s) => s.held[0]?.approved === true)
      // The file no longer deactivates Sales: the suspended pass plans nothing to hold.
      ws.write(orgs.replace("    status: deactivated\n", ""))
      yield* statusUntil(daemon, (s) => s.held.length === 0)
      yield* stop(daemon)
      // The same deactivation again, after a restart: the approval was for a change that is gone.
      ws.write(orgs)
      const restarted = yield* startDaemon(args, env)
      yield* statusUntil(restarted, (s) => s.recentPasses.length > 0 && s.held.length === 1)
      yield* admin(restarted, "resume")
      yield* statusUntil(restarted, (s) => !s.suspended && s.recentPasses.length > 1)
      expect((yield* statusOf(restarted)).held[0]).toMatchObject({ id: held.id, state: "held", approved: false })
      expect(named(sim, "Sales")[0]!.active).toBe(true)
      expect(daemon.output()).toContain(`approval of ${held.id} lapsed`)
    }), 120_000)
})
