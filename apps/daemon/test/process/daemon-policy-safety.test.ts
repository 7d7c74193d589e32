/**
 * The daemon's policy holds under the ways an operator meets it: a suspension that comes while a pass is
 * writing, a rejection that comes after an approval (before or while the change is sent), creates under an org that must stay blocked under `destructive: confirm`, and an update of an org
 * that was changed by hand under `drift: report`. `orgsync run` as a process against the real simulator.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { admin, auditLines, statusOf, statusUntil } from "../support/admin-api.js"
import { credentials, workspace } from "../support/cli.js"
import { startDaemon, until } from "../support/daemon.js"
import { byHand, named, start } from "../support/simulator.js"

const token = "policy-safety-token-0123456789"
const env = { ...credentials, ORGSYNC_ADMIN_TOKEN: token }

const teams = Array.from({ length: 12 }, (_, i) => `Team ${String(i + 1).padStart(2, "0")}`)

describe("orgsync run: policy safety", () => {
  it.scopedLive("suspend during a pass: no write goes out once it is answered, the rest stays pending, and resume sends it", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace("orgs:\n  - name: Engineering\n  - name: Sales\n")
      const daemon = yield* startDaemon(
        ["--desired", ws.desired, "--state", ws.state, "--url", sim.url, "--interval", "1h", "--concurrency", "2"],
        env
      )
      yield* statusUntil(daemon, (s) => s.recentPasses.length > 0 && s.pending?.changes.length === 0)
      yield* admin(daemon, token, "suspend")
      ws.write("orgs:\n  - name: Engineering\n  - name: Sales\n" + teams.map((name) => `  - name: ${name}\n`).join(""))
      yield* statusUntil(daemon, (s) => s.pending?.changes.length === 12 && s.runningSince === null)
      const passes = (yield* statusOf(daemon)).recentPasses.length

      // Every call to Code42 now takes 2.5 s: the pass that resume starts is still reading when suspend comes.
      sim.setFaults({ latencyMs: 2500 })
      sim.clearRequests()
      yield* admin(daemon, token, "resume")
      yield* Effect.sleep("1200 millis")
      yield* admin(daemon, token, "suspend")
      const suspendedAt = Date.now()
      yield* statusUntil(daemon, (s) => s.recentPasses.length > passes && s.runningSince === null)

      // Not even a write that asked just before the suspension reaches Code42 after it: it is cut short.
      const creates = sim.requests().filter((r) => r.method === "POST" && !r.path.includes("auth"))
      expect(creates.filter((r) => Date.parse(r.time) > suspendedAt), "creates sent after the suspension").toEqual([])
      const made = teams.filter((name) => named(sim, name).length === 1)
      expect(made.length).toBeLessThan(12)
      const status = yield* statusOf(daemon)
      expect(status.suspended).toBe(true)
      expect(status.pending?.changes.map((c) => `${c.action} ${c.path}`)).toEqual(
        teams.filter((name) => !made.includes(name)).map((name) => `create ${name}`)
      )
      expect(status.recentPasses[0]).toMatchObject({ result: "pending", failed: 0, applied: made.length })
      expect(daemon.output()).toContain("suspended during the pass: the writes not yet sent are left pending")

      sim.setFaults({ latencyMs: 0 })
      yield* admin(daemon, token, "resume")
      yield* until(() => teams.every((name) => named(sim, name).length === 1), 30_000, daemon.output)
      yield* statusUntil(daemon, (s) => s.pending?.changes.length === 0)
    }), 120_000)

  it.scopedLive("a rejection after an approval stops the change not sent yet, and says too late once it is being sent", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const orgs = "orgs:\n  - name: Engineering\n  - name: Sales\n"
      const ws = workspace(orgs)
      const daemon = yield* startDaemon(
        ["--desired", ws.desired, "--state", ws.state, "--url", sim.url, "--destructive", "confirm", "--interval", "1h"],
        env
      )
      yield* statusUntil(daemon, (s) => s.recentPasses.length > 0 && s.pending?.changes.length === 0)
      ws.write(orgs + "    status: blocked\n")
      yield* statusUntil(daemon, (s) => s.held.some((h) => h.action === "block") && s.runningSince === null)
      const block = (yield* statusOf(daemon)).held.find((h) => h.action === "block")!
      const passes = (yield* statusOf(daemon)).recentPasses.length

      // The admin API called as it is, with no command to start: the rejection comes 0.3 s after the approval.
      const decide = (endpoint: string, id: string) =>
        Effect.promise(() =>
          fetch(`${daemon.url}/api/${endpoint}`, {
            method: "POST",
            headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
            body: JSON.stringify({ ids: [id] })
          }).then(async (r) => ({ status: r.status, body: await r.json() as unknown }))
        )
      // Every call to Code42 now takes 2 s: the pass the approval starts is still reading when the rejection comes.
      sim.setFaults({ latencyMs: 2000 })
      const approved = yield* decide("approvals", block.id)
      expect(approved.status).toBe(200)
      yield* Effect.sleep("300 millis")
      const rejected = yield* decide("rejections", block.id)
      expect(rejected).toMatchObject({ status: 200, body: { rejected: [{ id: block.id, action: "block" }] } })
      yield* statusUntil(daemon, (s) => s.recentPasses.length > passes && s.runningSince === null)
      expect(named(sim, "Sales")[0]!.blocked, "Sales blocked after the rejection").toBe(false)
      expect((yield* statusOf(daemon)).held.map((h) => [h.action, h.id, h.state])).toEqual([["block", block.id, "rejected"]])
      expect(auditLines(daemon.output())).toEqual([])

      // Approved again, the block reaches Code42 while the pass is still running: rejecting it now is too late.
      expect((yield* decide("approvals", block.id)).status).toBe(200)
      yield* until(() => named(sim, "Sales")[0]!.blocked, 30_000, daemon.output)
      expect(yield* decide("rejections", block.id)).toEqual({
        status: 409,
        body: { error: `${block.id} (block Sales) is already being applied: too late to reject it` }
      })
      sim.setFaults({ latencyMs: 0 })
      yield* statusUntil(daemon, (s) => s.held.length === 0 && s.pending?.changes.length === 0 && s.runningSince === null)
      expect(auditLines(daemon.output()).map((a) => `${a.action} ${a.path} ${a.result}`)).toEqual(["block Sales applied"])
    }), 120_000)

  it.scopedLive("confirm: creating under an org that stays blocked holds the unblock and the creates with the re-block", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      yield* byHand(sim, "PUT", `/api/v1/OrgBlock/${named(sim, "Sales")[0]!.orgId}`)
      const orgs = "orgs:\n  - name: Engineering\n    children:\n      - name: Platform\n  - name: Sales\n    extRef: S-0\n" +
        "    status: blocked\n"
      const ws = workspace(orgs)
      const daemon = yield* startDaemon(
        ["--desired", ws.desired, "--state", ws.state, "--url", sim.url, "--destructive", "confirm", "--interval", "1h"],
        env
      )
      yield* statusUntil(daemon, (s) => s.recentPasses.length > 0 && s.pending?.changes.length === 0)

      ws.write(orgs + "    children:\n      - name: EMEA\n        children:\n          - name: Paris\n  - name: Support\n")
      yield* statusUntil(daemon, (s) => s.held.some((h) => h.action === "block") && s.runningSince === null)
      expect(named(sim, "Sales")[0]!.blocked, "Sales left unblocked").toBe(true)
      expect(named(sim, "EMEA")).toHaveLength(0)
      expect(named(sim, "Support")).toHaveLength(1)
      const { held } = yield* statusOf(daemon)
      const block = held.find((h) => h.action === "block")!
      expect(held.map((h) => [h.action, h.path, h.id, h.state, h.goesWith])).toEqual([
        ["unblock", "Sales", block.id, "held", "block Sales"],
        ["create", "Sales/EMEA", block.id, "held", "block Sales"],
        ["create", "Sales/EMEA/Paris", block.id, "held", "block Sales"],
        ["block", "Sales", block.id, "held", null]
      ])
      expect(block.reach).toBe(3)
      // The page offers one decision for the sequence, on the re-block.
      const page = yield* Effect.promise(() => fetch(`${daemon.url}/`).then((r) => r.text()))
      expect(page.split(`data-decide="approve" data-id="${block.id}"`)).toHaveLength(2)
      expect(page).toContain("held with block Sales, decided with it")

      const approved = yield* admin(daemon, token, "approve", block.id)
      expect(approved.stdout).toContain(`block Sales (reaches 3 orgs) [${block.id}]`)
      yield* until(() => named(sim, "Paris").length === 1, 30_000, daemon.output)
      yield* statusUntil(daemon, (s) => s.held.length === 0 && s.pending?.changes.length === 0)
      expect(named(sim, "Sales")[0]!.blocked).toBe(true)
      expect(named(sim, "EMEA")[0]!.blocked).toBe(true)
      expect(auditLines(daemon.output()).map((a) => `${a.action} ${a.path} ${a.result}`)).toEqual([
        "create Support applied",
        "unblock Sales applied",
        "create Sales/EMEA applied",
        "create Sales/EMEA/Paris applied",
        "block Sales applied"
      ])
    }), 120_000)

  it.scopedLive("drift: report keeps a hand-changed field when the files change another field of the same org", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const orgs = (extRef: string) => `orgs:\n  - name: Engineering\n  - name: Sales\n    extRef: ${extRef}\n    notes: Revenue\n`
      const ws = workspace(orgs("S-0"))
      const daemon = yield* startDaemon(
        ["--desired", ws.desired, "--state", ws.state, "--url", sim.url, "--drift", "report", "--interval", "1h"],
        env
      )
      yield* statusUntil(daemon, (s) => s.recentPasses.length > 0 && s.pending?.changes.length === 0)
      expect(named(sim, "Sales")[0]!.notes).toBe("Revenue")

      yield* byHand(sim, "PUT", `/api/v3/orgs/${named(sim, "Sales")[0]!.orgGuid}`, { notes: "by hand" })
      const passes = (yield* statusOf(daemon)).recentPasses.length
      ws.write(orgs("S-1"))
      yield* until(() => named(sim, "Sales")[0]!.orgExtRef === "S-1", 30_000, daemon.output)
      yield* statusUntil(daemon, (s) => s.runningSince === null && s.recentPasses.length > passes)
      expect(named(sim, "Sales")[0]!.notes, "the hand change was reverted").toBe("by hand")
      const status = yield* statusOf(daemon)
      expect(status.drift).toMatchObject([{ path: "Sales", field: "notes", applied: "Revenue", current: "by hand", healed: false }])
      expect(status.pending?.changes).toEqual([expect.objectContaining({ action: "update", path: "Sales", cause: "drift" })])
      const audit = auditLines(daemon.output()).filter((a) => a.path === "Sales")
      expect(audit.map((a) => `${a.action} ${a.cause} ${a.result}`)).toEqual(["update desired applied", "update desired applied"])
    }), 120_000)
})
