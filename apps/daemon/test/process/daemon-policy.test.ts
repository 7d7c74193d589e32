/**
 * The policy of `orgsync run` as a process against the real simulator: destructive changes held until
 * `orgsync approve`, approvals that lapse when the plan changes, rejections, `never`, drift reported or
 * healed, suspension, the admin API's token, and an audit line per write.
 */
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { auditLines, type HeldView } from "../support/admin-api.js"
import { credentials, orgsync, workspace } from "../support/cli.js"
import { getJson, startDaemon, until } from "../support/daemon.js"
import { byHand, named, start } from "../support/simulator.js"
import { receiver } from "../support/webhook.js"
import { StateDb } from "@c42/reconcile"

const token = "test-admin-token-0123456789"
const admin = { ORGSYNC_ADMIN_TOKEN: token }
/** The daemon's environment: the simulator's admin and the admin token. */
const withToken = { ...credentials, ...admin }

interface Status {
  readonly held: ReadonlyArray<HeldView>
  readonly suspended: boolean
  readonly drift: ReadonlyArray<{
    path: string
    field: string
    applied?: string | null
    current: string | null
    seenAt: string
    healed: boolean
  }>
  readonly pending: { readonly changes: ReadonlyArray<{ action: string; path: string }> } | null
  readonly recentPasses: ReadonlyArray<unknown>
}

const statusOf = (url: string) => getJson<Status>(`${url}/api/status`)

/** Polls the status until `check` holds. */
const statusUntil = (url: string, check: (status: Status) => boolean, output: () => string) =>
  until(() => fetch(`${url}/api/status`).then((r) => r.json() as Promise<Status>).then(check), 30_000, output)

/** The `orgsync` admin commands against the daemon at `url`. */
const adminCommand = (url: string, args: ReadonlyArray<string>, env: Record<string, string> = admin) =>
  orgsync([...args, "--listen", url.replace("http://", "")], env)

/** Waits for the pass after `trigger` (by default, the next one due). */
const passAfter = (url: string, output: () => string, trigger: () => void = () => {}) =>
  Effect.gen(function*() {
    const before = (yield* statusOf(url)).recentPasses.length
    trigger()
    yield* statusUntil(url, (s) => s.recentPasses.length > before, output)
  })

const salesAndSupport = "orgs:\n  - name: Engineering\n    children:\n      - name: Platform\n" +
  "  - name: Sales\n    extRef: S-0\n    status: deactivated\n  - name: Support\n"

describe("orgsync run: policy", () => {
  it.scoped("confirm holds a deactivation with its reach, applies the rest, and applies it after orgsync approve", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace(salesAndSupport.replace("  - name: Sales\n", "  - name: Sales\n    children:\n      - name: EMEA\n"))
      const daemon = yield* startDaemon(
        ["--desired", ws.desired, "--state", ws.state, "--url", sim.url, "--destructive", "confirm"],
        withToken
      )
      yield* statusUntil(daemon.url, (s) => s.held.length === 1, daemon.output)
      const status = yield* statusOf(daemon.url)
      // Sales and the EMEA this pass created under it: one deactivation reaching two orgs.
      expect(status.held).toMatchObject([{ action: "deactivate", path: "Sales", reach: 2, state: "held" }])
      const held = status.held[0]!
      expect(held.checksum).toMatch(new RegExp(`^sha256:${held.id}`))
      expect(named(sim, "Support")).toHaveLength(1)
      expect(named(sim, "Sales")[0]!.active).toBe(true)
      const page = yield* Effect.promise(() => fetch(`${daemon.url}/`).then((r) => r.text()))
      expect(page).toContain("Held for approval")
      expect(page).toContain(`data-decide="approve" data-id="${held.id}"`)

      const approved = yield* adminCommand(daemon.url, ["approve", held.id])
      expect(approved.code, approved.stderr).toBe(0)
      expect(approved.stdout).toContain(`deactivate Sales (reaches 2 orgs) [${held.id}]`)
      yield* until(() => named(sim, "Sales")[0]!.active === false, 30_000, daemon.output)
      yield* statusUntil(daemon.url, (s) => s.held.length === 0, daemon.output)
      const salesUid = named(sim, "Sales")[0]!.orgUid
      const audit = auditLines(daemon.output()).map(({ action, cause, orgUid, path, result }) => ({ action, path, orgUid, cause, result }))
      expect(audit).toEqual([
        { action: "create", path: "Support", orgUid: named(sim, "Support")[0]!.orgUid, cause: "desired", result: "applied" },
        { action: "create", path: "Sales/EMEA", orgUid: named(sim, "EMEA")[0]!.orgUid, cause: "desired", result: "applied" },
        { action: "deactivate", path: "Sales", orgUid: salesUid, cause: "desired", result: "applied" }
      ])
      expect(daemon.output()).not.toContain(token)
    }), 120_000)

  it.scoped("an approval names one checksum: once the file changes the change, the old id fails; reject leaves it unapplied", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace(salesAndSupport)
      const args = ["--desired", ws.desired, "--state", ws.state, "--url", sim.url, "--destructive", "confirm"]
      const daemon = yield* startDaemon(args, withToken)
      yield* statusUntil(daemon.url, (s) => s.held.length === 1, daemon.output)
      const deactivation = (yield* statusOf(daemon.url)).held[0]!
      expect(deactivation).toMatchObject({ action: "deactivate", path: "Sales", reach: 1 })

      ws.write(salesAndSupport.replace("status: deactivated", "status: blocked"))
      yield* statusUntil(daemon.url, (s) => s.held[0]?.action === "block", daemon.output)
      const block = (yield* statusOf(daemon.url)).held[0]!
      expect(block.id).not.toBe(deactivation.id)

      const stale = yield* adminCommand(daemon.url, ["approve", deactivation.id])
      expect(stale.code).toBe(1)
      expect(stale.stderr).toContain(`no held change ${deactivation.id}: the plan may have changed since; held now: ${block.id}`)

      const rejected = yield* adminCommand(daemon.url, ["reject", block.id])
      expect(rejected.code, rejected.stderr).toBe(0)
      expect(rejected.stdout).toContain(`block Sales (reaches 1 org) [${block.id}]`)
      ws.write(salesAndSupport.replace("status: deactivated", "status: blocked") + "  - name: Legal\n")
      yield* until(() => named(sim, "Legal").length === 1, 30_000, daemon.output)
      yield* statusUntil(daemon.url, (s) => s.held[0]?.state === "rejected", daemon.output)
      expect(named(sim, "Sales")[0]).toMatchObject({ active: true, blocked: false })
      const none = yield* adminCommand(daemon.url, ["approve", "--all"])
      expect(none.code).toBe(1)
      expect(none.stderr).toContain("nothing awaits approval now")

      const approved = yield* adminCommand(daemon.url, ["approve", block.id])
      expect(approved.code, approved.stderr).toBe(0)
      yield* until(() => named(sim, "Sales")[0]!.blocked === true, 30_000, daemon.output)
      expect(named(sim, "Sales")[0]!.active).toBe(true)
    }), 120_000)

  it.scoped("never: destructive changes are reported and never applied, by the daemon and by apply; the rest applies", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace(salesAndSupport)
      const daemon = yield* startDaemon(
        ["--desired", ws.desired, "--state", ws.state, "--url", sim.url, "--destructive", "never"],
        withToken
      )
      yield* statusUntil(daemon.url, (s) => s.held.length === 1, daemon.output)
      const never = (yield* statusOf(daemon.url)).held[0]!
      expect(never).toMatchObject({ action: "deactivate", path: "Sales", state: "never" })
      expect(named(sim, "Support")).toHaveLength(1)
      const refused = yield* adminCommand(daemon.url, ["approve", never.id])
      expect(refused.code).toBe(1)
      expect(refused.stderr).toContain("is never applied (destructive: never)")
      yield* passAfter(daemon.url, daemon.output, () => ws.write(salesAndSupport))
      expect(named(sim, "Sales")[0]!.active).toBe(true)

      // One-shot apply: never refuses the destructive changes, applies the others, exits 1 saying so.
      ws.write(salesAndSupport + "  - name: Legal\n")
      const applied = yield* orgsync([
        "apply", "--desired", ws.desired, "--state", `${ws.dir}/apply.db`, "--url", sim.url, "--yes", "--destructive", "never"
      ])
      expect(applied.code).toBe(1)
      expect(applied.stderr).toContain("not applied (destructive: never): deactivate Sales")
      expect(named(sim, "Legal")).toHaveLength(1)
      expect(named(sim, "Sales")[0]!.active).toBe(true)
    }), 120_000)

  it.scoped("drift: report shows a hand change in detail, from its first sighting, and leaves it; it is in the run history", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace("orgs:\n  - name: Engineering\n    children:\n      - name: Platform\n  - name: Sales\n    extRef: S-0\n")
      const daemon = yield* startDaemon(
        ["--desired", ws.desired, "--state", ws.state, "--url", sim.url, "--drift", "report", "--interval", "5s"]
      )
      yield* statusUntil(daemon.url, (s) => s.recentPasses.length > 0 && s.pending?.changes.length === 0, daemon.output)
      yield* byHand(sim, "PUT", `/api/v1/OrgBlock/${named(sim, "Sales")[0]!.orgId}`)
      yield* statusUntil(daemon.url, (s) => s.drift.length === 1, daemon.output)
      const first = (yield* statusOf(daemon.url)).drift[0]!
      // Sales was found as the file asks: orgsync never applied its status, and does not say it did.
      expect(first).toEqual({ path: "Sales", orgUid: named(sim, "Sales")[0]!.orgUid, field: "status", current: "blocked", seenAt: first.seenAt, healed: false })
      yield* passAfter(daemon.url, daemon.output)
      const later = yield* statusOf(daemon.url)
      expect(later.drift).toEqual([first])
      expect(later.pending?.changes).toEqual([expect.objectContaining({ action: "unblock", path: "Sales", cause: "drift" })])
      expect(named(sim, "Sales")[0]!.blocked).toBe(true)
      const page = yield* Effect.promise(() => fetch(`${daemon.url}/`).then((r) => r.text()))
      expect(page).toContain("left as found")

      // Read beside the running daemon, which holds the database's lock.
      const recorded = yield* Effect.gen(function*() {
        const db = yield* StateDb.StateReader
        const runs = (yield* db.recentRuns(5)).filter((run) => run.finishedAt !== null).slice(0, 2)
        return yield* Effect.forEach(runs, (run) => db.drift.ofRun(run.id))
      }).pipe(Effect.provide(StateDb.layerReadOnly(ws.state, { missing: "fail" })), Effect.provide(NodeContext.layer))
      // The last two passes both recorded it, as first seen by the earlier one.
      expect(recorded).toEqual([0, 1].map(() => [{
        path: "Sales",
        orgUid: named(sim, "Sales")[0]!.orgUid,
        field: "status",
        current: "blocked",
        seenAt: new Date(first.seenAt)
      }]))
    }), 120_000)

  it.scoped("drift: heal reverts a hand change, shows it healed, and logs its audit line as JSON fields", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace("orgs:\n  - name: Engineering\n  - name: Sales\n")
      const daemon = yield* startDaemon(
        ["--desired", ws.desired, "--state", ws.state, "--url", sim.url, "--interval", "5s", "--log-format", "json"]
      )
      yield* statusUntil(daemon.url, (s) => s.recentPasses.length > 0 && s.pending?.changes.length === 0, daemon.output)
      yield* byHand(sim, "PUT", `/api/v1/OrgBlock/${named(sim, "Sales")[0]!.orgId}`)
      yield* until(() => named(sim, "Sales")[0]!.blocked === false, 30_000, daemon.output)
      yield* statusUntil(daemon.url, (s) => s.drift.length === 1, daemon.output)
      // Found as the file asks, Sales had never been written by orgsync when the hand change was found.
      expect((yield* statusOf(daemon.url)).drift[0]).toEqual({
        path: "Sales",
        orgUid: named(sim, "Sales")[0]!.orgUid,
        field: "status",
        current: "blocked",
        seenAt: expect.any(String),
        healed: true
      })
      const lines = daemon.output().split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line))
      const audit = lines.filter((line) => line.message === "audit")
      expect(audit).toContainEqual(expect.objectContaining({
        annotations: { action: "unblock", path: "Sales", orgUid: named(sim, "Sales")[0]!.orgUid, cause: "drift", result: "applied" }
      }))
    }), 120_000)

  it.scoped("suspend and resume: no write while suspended, plans still shown, the suspension outlives a restart", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace("orgs:\n  - name: Engineering\n  - name: Sales\n")
      const args = ["--desired", ws.desired, "--state", ws.state, "--url", sim.url]
      const daemon = yield* startDaemon(args, withToken)
      yield* statusUntil(daemon.url, (s) => s.recentPasses.length > 0, daemon.output)
      const suspended = yield* adminCommand(daemon.url, ["suspend"])
      expect(suspended.code, suspended.stderr).toBe(0)
      expect(suspended.stdout).toContain("Suspended")
      expect((yield* statusOf(daemon.url)).suspended).toBe(true)
      ws.write("orgs:\n  - name: Engineering\n  - name: Sales\n  - name: Support\n")
      yield* statusUntil(daemon.url, (s) => s.pending?.changes.some((c) => c.path === "Support") === true, daemon.output)
      expect(named(sim, "Support")).toHaveLength(0)

      daemon.process.kill("SIGTERM")
      expect(yield* Effect.promise(() => daemon.exited)).toBe(0)
      const again = yield* startDaemon(args, withToken)
      yield* statusUntil(again.url, (s) => s.recentPasses.length > 0, again.output)
      expect((yield* statusOf(again.url)).suspended).toBe(true)
      expect(named(sim, "Support")).toHaveLength(0)
      const page = yield* Effect.promise(() => fetch(`${again.url}/`).then((r) => r.text()))
      expect(page).toContain("suspended")

      const resumed = yield* adminCommand(again.url, ["resume"])
      expect(resumed.code, resumed.stderr).toBe(0)
      yield* until(() => named(sim, "Support").length === 1, 30_000, again.output)
      expect((yield* statusOf(again.url)).suspended).toBe(false)
    }), 120_000)

  it.scoped("the admin API: disabled without a token, 401 without or with a wrong one, and clear errors from the commands", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace("orgs:\n  - name: Engineering\n")
      const open = yield* startDaemon(["--desired", ws.desired, "--state", ws.state, "--url", sim.url])
      const disabled = yield* adminCommand(open.url, ["suspend"])
      expect(disabled.code).toBe(1)
      expect(disabled.stderr).toContain("answered 403: the admin API is disabled")
      const post = (url: string, path: string, headers: Record<string, string> = {}) =>
        Effect.promise(() => fetch(`${url}${path}`, { method: "POST", headers }).then((r) => r.status))
      expect(yield* post(open.url, "/api/approvals")).toBe(403)
      open.process.kill("SIGTERM")
      yield* Effect.promise(() => open.exited)

      const daemon = yield* startDaemon(["--desired", ws.desired, "--state", ws.state, "--url", sim.url], withToken)
      expect(yield* post(daemon.url, "/api/suspend")).toBe(401)
      expect(yield* post(daemon.url, "/api/suspend", { authorization: "Bearer not-the-token" })).toBe(401)
      // A form of another site can post text/plain only: refused, even with the token.
      expect(yield* post(daemon.url, "/api/suspend", { authorization: `Bearer ${token}`, "content-type": "text/plain" })).toBe(415)
      const wrong = yield* adminCommand(daemon.url, ["suspend"], { ORGSYNC_ADMIN_TOKEN: "not-the-token-0123456789" })
      expect(wrong.code).toBe(1)
      expect(wrong.stderr).toContain("refused the admin token (401)")
      const without = yield* adminCommand(daemon.url, ["suspend"], {})
      expect(without.code).toBe(1)
      expect(without.stderr).toContain("no admin token: set ORGSYNC_ADMIN_TOKEN")
      expect((yield* statusOf(daemon.url)).suspended).toBe(false)
      expect(daemon.output()).not.toContain("not-the-token")
      expect(daemon.output()).not.toContain(token)

      daemon.process.kill("SIGTERM")
      yield* Effect.promise(() => daemon.exited)
      const gone = yield* adminCommand(daemon.url, ["resume"])
      expect(gone.code).toBe(1)
      expect(gone.stderr).toContain(`no orgsync daemon answers on ${daemon.url}`)
    }), 120_000)

  it.scoped("notify: a loopback receiver is told of held changes and drift, after failing first; a dead one blocks nothing", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const flaky = yield* receiver([500, 200])
      const dead = yield* receiver(["hang"])
      const ws = workspace(salesAndSupport)
      const hook = `${flaky.url}/hooks/secret-path-0123`
      const daemon = yield* startDaemon([
        "--desired", ws.desired, "--state", ws.state, "--url", sim.url, "--destructive", "confirm", "--interval", "5s",
        "--notify", `${dead.url}/dead`, "--notify", hook
      ])
      // The first try fails (500); the retry a second later delivers it.
      yield* until(() => flaky.received().some((r) => r.status === 200 && r.body.event === "held"), 30_000, daemon.output)
      const held = flaky.received().filter((r) => r.body.event === "held")
      expect(held.map((r) => r.status)).toEqual([500, 200])
      expect(held[1]!.path).toBe("/hooks/secret-path-0123")
      expect(held[1]!.body).toMatchObject({
        event: "held",
        tenant: sim.url,
        details: { held: [{ action: "deactivate", path: "Sales", reach: 1 }] }
      })
      expect(held[1]!.body.text).toMatch(/^orgsync \(http:\/\/127\.0\.0\.1:\d+\): 1 destructive change held:\n• deactivate Sales/)
      expect(dead.received()).toHaveLength(1)

      // The dead receiver still hangs on its first notification: passes go on, drift is healed and told.
      yield* byHand(sim, "PUT", `/api/v1/OrgBlock/${named(sim, "Support")[0]!.orgId}`)
      yield* until(() => named(sim, "Support")[0]!.blocked === false, 30_000, daemon.output)
      yield* until(() => flaky.received().some((r) => r.body.event === "drift"), 30_000, daemon.output)
      const drift = flaky.received().find((r) => r.body.event === "drift")!
      expect(drift.body).toMatchObject({
        details: { drift: [{ path: "Support", field: "status", applied: "active", current: "blocked" }] }
      })
      expect(drift.body.text).toContain("Support: status is \"blocked\", orgsync applied \"active\"")
      // Each held change and each drift is told once, not at every pass.
      yield* passAfter(daemon.url, daemon.output)
      expect(flaky.received().filter((r) => r.status === 200).map((r) => r.body.event)).toEqual(["held", "drift"])

      const metrics = yield* Effect.promise(() => fetch(`${daemon.url}/metrics`).then((r) => r.text()))
      expect(metrics).toMatch(/^orgsync_notify_retries_total [1-9]/m)
      expect(metrics).toMatch(/^orgsync_notify_failures_total \d+$/m)
      expect(daemon.output()).toContain(`notification to ${flaky.url} failed: answered 500`)
      expect(daemon.output()).not.toContain("secret-path")
    }), 120_000)
})
