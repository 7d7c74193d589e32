/**
 * The endpoints over loopback: a real server on a free port, a real state database, and the status set the
 * way the loop sets it.
 */
import { FetchHttpClient, type HttpClient } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Layer, RuntimeFlags, type Scope } from "effect"
import * as DaemonMetrics from "../../src/DaemonMetrics.js"
import * as DaemonStatus from "../../src/DaemonStatus.js"
import type { StateDb } from "@c42/reconcile"
import type * as StatusTree from "../../src/StatusTree.js"
import {
  change,
  conflict,
  desired,
  desiredPath,
  nextPassAt,
  parsePrometheus,
  pass,
  plan,
  statusServer
} from "../support/daemon-fixtures.js"
import { r, tenant, uid } from "../../../../packages/reconcile/test/plan-fixtures.js"

/** A journal entry of `action` on the org at `path`. */
const write = (action: StateDb.JournalAction, path: string, orgUid: string | null = null) => ({
  action,
  path,
  orgUid,
  parentOrgUid: action === "create" ? "u/" : null,
  orgName: action === "create" ? path.split("/").at(-1)! : null,
  preexisting: []
})

const test = (
  name: string,
  body: () => Effect.Effect<void, unknown, NodeContext.NodeContext | HttpClient.HttpClient | Scope.Scope>,
  timeout?: number
) =>
  it.scopedLive(name, () => body().pipe(Effect.provide(Layer.merge(NodeContext.layer, FetchHttpClient.layer))), timeout)

describe("StatusServer", () => {
  test("/healthz answers while alive; /readyz follows the desired files and the last pass", () =>
    Effect.gen(function*() {
      const { get, update } = yield* statusServer
      expect(yield* get("/healthz")).toMatchObject({ status: 200, text: "ok\n" })

      const unread = yield* get("/readyz")
      expect(unread.status).toBe(503)
      expect(unread.text).toContain("have not been read yet")

      yield* update(DaemonStatus.desiredAccepted(desired, new Date()))
      const waiting = yield* get("/readyz")
      expect(waiting.status).toBe(503)
      expect(waiting.text).toContain("no pass has finished yet")

      yield* update(DaemonStatus.passFinished(pass(), plan(), nextPassAt))
      expect(yield* get("/readyz")).toMatchObject({ status: 200, text: "ready\n" })

      yield* update(DaemonStatus.passFinished(pass({ result: "pending", pending: 2 }), plan([change("A")]), nextPassAt))
      expect((yield* get("/readyz")).status).toBe(200)

      const issue = { file: desiredPath, line: 3, column: 5, message: "unknown key" }
      yield* update(DaemonStatus.desiredRejected([issue], new Date()))
      const invalid = yield* get("/readyz")
      expect(invalid.status).toBe(503)
      expect(invalid.text).toContain("the desired files do not validate (1 issue); the last good state stays in force")

      yield* update(DaemonStatus.desiredAccepted(desired, new Date()))
      const failure = pass({ result: "error", errors: ["cannot read Code42: refused"] })
      yield* update(DaemonStatus.passFinished(failure, undefined, nextPassAt))
      const failed = yield* get("/readyz")
      expect(failed.status).toBe(503)
      expect(failed.text).toContain("the last pass failed: cannot read Code42: refused")

      yield* update(DaemonStatus.passFinished(pass(), plan(), nextPassAt))
      expect((yield* get("/readyz")).status).toBe(200)
      expect(yield* get("/healthz")).toMatchObject({ status: 200 })
    }))

  test("/metrics is Prometheus text 0.0.4 that a scraper reads", () =>
    Effect.gen(function*() {
      const { get } = yield* statusServer
      yield* DaemonMetrics.register
      yield* DaemonMetrics.recordDesired(true)
      const kinds = { ambiguous: 1, contested: 1 }
      yield* DaemonMetrics.recordPass(pass({ result: "pending", pending: 4, drift: 1, conflicts: 2, conflictKinds: kinds }))
      const response = yield* get("/metrics")
      expect(response.status).toBe(200)
      expect(response.headers["content-type"]).toBe("text/plain; version=0.0.4; charset=utf-8")
      const families = parsePrometheus(response.text)
      expect(families.get("orgsync_passes_total")).toMatchObject({
        type: "counter",
        help: "Reconcile passes by result (converged, pending, error)"
      })
      expect(families.get("orgsync_passes_total")!.samples.find((s) => s.labels["result"] === "pending")!.value)
        .toBe(1)
      const duration = families.get("orgsync_pass_duration_seconds")!
      expect(duration.type).toBe("histogram")
      expect(duration.samples.find((s) => s.name.endsWith("_bucket") && s.labels["le"] === "+Inf")!.value).toBe(1)
      expect(duration.samples.find((s) => s.name === "orgsync_pass_duration_seconds_sum")!.value).toBe(2.5)
      expect(families.get("orgsync_pending_changes")!.samples[0]!.value).toBe(4)
      expect(families.get("orgsync_drift_changes")!.samples[0]!.value).toBe(1)
      const conflicts = (text: string) =>
        parsePrometheus(text).get("orgsync_conflicts")!.samples.filter((s) => s.value !== 0)
          .map((s) => [s.labels["kind"], s.value])
      expect(conflicts(response.text)).toEqual([["ambiguous", 1], ["contested", 1]])
      expect(families.get("orgsync_desired_valid")!.samples[0]!.value).toBe(1)
      expect(families.get("orgsync_last_success_timestamp_seconds")!.samples[0]!.value).toBe(
        Date.parse("2025-03-01T10:00:02.500Z") / 1000
      )
      for (const family of families.values()) expect(family.samples.length).toBeGreaterThan(0)
      // A later pass without conflicts sets every kind back to 0.
      yield* DaemonMetrics.recordPass(pass())
      expect(conflicts((yield* get("/metrics")).text)).toEqual([])
    }))

  test("/metrics leaves out Effect's runtime metrics and says which build (version and commit) runs on which Node", () =>
    Effect.gen(function*() {
      const { get } = yield* statusServer
      yield* DaemonMetrics.register
      // Fibers counted by Effect's runtime metrics, which share the default registry.
      yield* Effect.forkDaemon(Effect.void).pipe(Effect.flatMap(Fiber.join), Effect.provide(RuntimeFlags.enableRuntimeMetrics))
      const families = parsePrometheus((yield* get("/metrics")).text)
      expect([...families.keys()].filter((name) => name.startsWith("effect_"))).toEqual([])
      const build = families.get("orgsync_build_info")!
      expect(build.type).toBe("gauge")
      expect(build.samples).toEqual([
        // Run from source, as here, the commit is not known; the bundle knows it (test/process/daemon-process).
        expect.objectContaining({
          labels: { commit: "unknown", node: process.version, version: expect.stringMatching(/^\d+\.\d+\.\d+/) },
          value: 1
        })
      ])
    }))

  test("/api/status tells the facts as JSON, with the pending plan and the run history", () =>
    Effect.gen(function*() {
      const { db, get, update } = yield* statusServer
      const run = yield* db.runStart("apply", false)
      yield* db.runFinish(run, "failed", { applied: 1, failed: 1 }, ["update Engineering failed: 500"])
      yield* update(DaemonStatus.desiredAccepted(desired, new Date("2025-03-01T09:59:59.000Z")))
      yield* update(DaemonStatus.passFinished(
        pass({ result: "pending", pending: 1, conflicts: 1, drift: 3, errors: ["update Engineering failed: 500"] }),
        plan(
          [change("Engineering/Mobile", {
            action: "block",
            orgUid: "u/m",
            before: { status: "active" },
            after: { status: "blocked" }
          })],
          [conflict("Sales", "two orgs named Sales under the root")]
        ), nextPassAt
      ))
      const response = yield* get("/api/status")
      expect(response.status).toBe(200)
      expect(response.headers["content-type"]).toContain("application/json")
      const view = JSON.parse(response.text) as DaemonStatus.StatusView
      expect(view).toMatchObject({
        inSync: false,
        ready: true,
        notReady: null,
        dryRun: false,
        desired: { path: desiredPath, valid: true, files: [desiredPath], issues: [] },
        running: false,
        lastPass: { result: "pending", durationSeconds: 2.5, pending: 1, conflicts: 1, drift: 3 },
        lastSuccessAt: "2025-03-01T10:00:02.500Z",
        // Without a policy's state (the daemon's control), nothing held, no drift in detail, not suspended.
        policy: { destructive: "auto", drift: "heal" },
        suspended: false,
        held: [],
        drift: [],
        runsError: null
      })
      expect(view.pending!.changes).toEqual([{
        action: "block",
        path: "Engineering/Mobile",
        orgUid: "u/m",
        before: { status: "active" },
        after: { status: "blocked" },
        cascadesTo: [],
        cause: "desired"
      }])
      expect(view.pending!.conflicts).toEqual([
        expect.objectContaining({ path: "Sales", message: "two orgs named Sales under the root" })
      ])
      expect(view.runs).toEqual([expect.objectContaining({
        id: run,
        kind: "apply",
        result: "failed",
        counts: { applied: 1, failed: 1 },
        errors: ["update Engineering failed: 500"]
      })])
    }))

  test("/ is a status page with every value escaped", () =>
    Effect.gen(function*() {
      const { get, update } = yield* statusServer
      yield* update(DaemonStatus.desiredAccepted(desired, new Date()))
      const pending = plan([change("R&D/<Lab>")])
      yield* update(DaemonStatus.passFinished(pass({ result: "pending", pending: 1 }), pending, nextPassAt))
      yield* update(DaemonStatus.desiredRejected(
        [{ file: desiredPath, line: 7, column: 9, message: "unknown key \"<script>alert(1)</script>\"" }],
        new Date()
      ))
      const page = yield* get("/")
      expect(page.status).toBe(200)
      expect(page.headers["content-type"]).toBe("text/html; charset=utf-8")
      expect(page.text).toContain(`${desiredPath}:7:9: unknown key &quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;`)
      expect(page.text).not.toContain("<script>alert(1)")
      expect(page.text).toContain("R&amp;D/&lt;Lab&gt;")
      expect(page.text).toContain("Not ready")
    }))

  test("/api/tree answers the snapshot's orgs a page at a time, with the plan's badges; bad queries get 400", () =>
    Effect.gen(function*() {
      const { db, get, update } = yield* statusServer
      expect(JSON.parse((yield* get("/api/tree")).text)).toMatchObject({ root: null, total: 0, nodes: [] })

      const remote = tenant(r("Big", {}, ...Array.from({ length: 1500 }, (_, i) => r(`Team ${i}`))), r("Small"))
      yield* db.saveSnapshot({ takenAt: new Date("2025-03-01T10:00:01.000Z"), orgs: remote })
      yield* update(DaemonStatus.passFinished(
        pass({ result: "pending", pending: 1 }),
        { ...plan([change("Small", { action: "block", orgUid: uid("Small") })]), rootOrgUid: uid("") },
        nextPassAt
      ))
      const top = JSON.parse((yield* get("/api/tree")).text) as StatusTree.TreePage
      expect(top).toMatchObject({ snapshotAt: "2025-03-01T10:00:01.000Z", root: { orgUid: uid("") }, total: 2 })
      expect(top.nodes.map((node) => [node.name, node.children, node.badges])).toEqual([
        ["Big", 1500, []],
        ["Small", 0, ["pending"]]
      ])
      const under = encodeURIComponent(uid("Big"))
      const last = JSON.parse((yield* get(`/api/tree?under=${under}&offset=1400&limit=500`)).text) as StatusTree.TreePage
      expect(last).toMatchObject({ under: uid("Big"), offset: 1400, total: 1500 })
      expect(last.nodes).toHaveLength(100)

      for (const query of ["?offset=-1", "?limit=0", "?limit=501", "?offset=x", "?under="]) {
        const refused = yield* get(`/api/tree${query}`)
        expect(refused.status).toBe(400)
        expect(JSON.parse(refused.text).error).toContain("expected /api/tree?under=<orgUid>")
      }
      const unknown = yield* get("/api/tree?under=nobody")
      expect(unknown.status).toBe(404)
      expect(JSON.parse(unknown.text).error).toBe("no org nobody under the managed root in the last snapshot")
    }))

  test("/api/tree over 100,000 orgs: pages of at most 500, read once per snapshot", () =>
    Effect.gen(function*() {
      const { db, get } = yield* statusServer
      const teams = Array.from({ length: 1000 }, (_, i) => r(`Team ${i}`, {}, ...Array.from({ length: 99 }, (_, j) => r(`Group ${j}`))))
      const remote = tenant(...teams)
      expect(remote.length).toBe(100_001)
      yield* db.saveSnapshot({ takenAt: new Date(), orgs: remote })
      const first = yield* get("/api/tree?limit=500")
      const page = JSON.parse(first.text) as StatusTree.TreePage
      expect(page).toMatchObject({ total: 1000 })
      expect(page.nodes).toHaveLength(500)
      expect(first.text.length).toBeLessThan(100_000)
      const started = Date.now()
      const again = yield* get(`/api/tree?under=${encodeURIComponent(uid("Team 7"))}`)
      expect(Date.now() - started).toBeLessThan(1000)
      expect((JSON.parse(again.text) as StatusTree.TreePage).total).toBe(99)
    }), 180_000)

  test("/api/runs/<id> and /runs/<id>: a run with each of its writes and how it ended", () =>
    Effect.gen(function*() {
      const { db, get } = yield* statusServer
      const earlier = yield* db.runStart("run", false)
      const other = yield* db.journalBegin({ ...write("create", "Elsewhere"), runId: earlier })
      yield* db.journalSettle(other, "done", { orgUid: "u/9" })
      yield* db.runFinish(earlier, "converged", { applied: 1 }, [])
      const run = yield* db.runStart("apply", false)
      const created = yield* db.journalBegin({ ...write("create", "R&D/<Lab>"), runId: run })
      yield* db.journalSettle(created, "done", { orgUid: "u/lab" })
      const blocked = yield* db.journalBegin({ ...write("block", "Sales", "u/sales"), runId: run })
      yield* db.journalSettle(blocked, "failed", { error: "PARENT_ORG_IS_BLOCKED" })
      yield* db.journalBegin({ ...write("deactivate", "Archive", "u/archive"), runId: run })
      yield* db.runFinish(run, "failed", { applied: 1, failed: 1 }, ["block Sales: PARENT_ORG_IS_BLOCKED"])

      const response = yield* get(`/api/runs/${run}`)
      expect(response.status).toBe(200)
      const detail = JSON.parse(response.text) as DaemonStatus.RunDetail
      expect(detail.run).toMatchObject({ id: run, kind: "apply", result: "failed", counts: { applied: 1, failed: 1 } })
      expect(detail.writes.map((w) => [w.action, w.path, w.orgUid, w.outcome, w.error])).toEqual([
        ["create", "R&D/<Lab>", "u/lab", "done", null],
        ["block", "Sales", "u/sales", "failed", "PARENT_ORG_IS_BLOCKED"],
        ["deactivate", "Archive", "u/archive", null, null]
      ])
      expect(detail.writes[0]!.settledAt).not.toBeNull()
      expect(detail.writes[2]!.settledAt).toBeNull()

      const page = yield* get(`/runs/${run}`)
      expect(page.status).toBe(200)
      expect(page.headers["content-type"]).toBe("text/html; charset=utf-8")
      expect(page.text).toContain("R&amp;D/&lt;Lab&gt;")
      expect(page.text).toContain("PARENT_ORG_IS_BLOCKED")
      expect(page.text).not.toContain("Elsewhere")

      for (const [path, status, error] of [
        ["/api/runs/999", 404, "no run 999 in the state database"],
        ["/api/runs/0", 400, "expected a run number, not \"0\""],
        ["/api/runs/x1", 400, "expected a run number, not \"x1\""]
      ] as const) {
        const refused = yield* get(path)
        expect(refused.status).toBe(status)
        expect(JSON.parse(refused.text).error).toBe(error)
      }
      expect((yield* get("/runs/999")).status).toBe(404)
    }))

  test("answers 404 elsewhere", () =>
    Effect.gen(function*() {
      const { get } = yield* statusServer
      expect((yield* get("/nothing-here")).status).toBe(404)
    }))

  test("POST /api/refresh answers 202 and asks for a fetch and a pass; GET is not a refresh", () =>
    Effect.gen(function*() {
      const { get, refreshes, url } = yield* statusServer
      const answer = yield* Effect.promise(() => fetch(`${url}/api/refresh`, { method: "POST" }))
      expect(answer.status).toBe(202)
      expect(answer.headers.get("cache-control")).toBe("no-store")
      expect(yield* Effect.promise(() => answer.json())).toEqual({ refresh: "started" })
      expect(yield* refreshes).toBe(1)
      expect((yield* get("/api/refresh")).status).toBe(404)
      expect(yield* refreshes).toBe(1)
    }))
})
