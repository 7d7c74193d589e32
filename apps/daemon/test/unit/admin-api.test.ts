/**
 * The admin endpoints on a real loopback server over a real state database: disabled without a token, 401
 * without or with a wrong one, approvals that cover one checksum for one pass, rejections, and a suspension
 * that outlives the daemon.
 */
import { FetchHttpClient, FileSystem, HttpClient, HttpClientRequest, HttpServer } from "@effect/platform"
import { NodeContext, NodeHttpServer } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Logger, Option, Redacted, type Scope, SubscriptionRef } from "effect"
import { createServer } from "node:http"
import * as AdminApi from "../../src/AdminApi.js"
import * as AdminToken from "../../src/AdminToken.js"
import * as DaemonControl from "../../src/DaemonControl.js"
import { Policy, StateDb } from "@c42/reconcile"
import { change, passResult } from "../support/daemon-fixtures.js"

const token = "0123456789abcdef0123"

const deactivate = (path: string, cascadesTo: ReadonlyArray<string> = []) =>
  change(path, {
    action: "deactivate",
    orgUid: `u/${path}`,
    orgId: 4,
    before: { status: "active" },
    after: { status: "deactivated" },
    cascadesTo
  })

const confirm: Policy.Policy = { destructive: "confirm", drift: "heal" }

/** The admin API over a control whose last pass held `changes`, with `configured` as its token. */
const adminServer = (configured: Option.Option<Redacted.Redacted<string>>, statePath?: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const state = statePath ?? `${yield* fs.makeTempDirectoryScoped({ prefix: "orgsync-admin-" })}/state.db`
    const db = yield* Layer.build(StateDb.layer(state))
    const control = yield* DaemonControl.make(confirm).pipe(Effect.provide(db))
    const server = yield* Layer.build(
      HttpServer.serve(AdminApi.router).pipe(
        Layer.provideMerge(NodeHttpServer.layer(() => createServer(), { host: "127.0.0.1", port: 0 })),
        Layer.provide(Layer.succeed(DaemonControl.DaemonControl, control)),
        Layer.provide(Layer.succeed(AdminToken.AdminToken, configured))
      )
    )
    const address = Context.get(server, HttpServer.HttpServer).address
    if (address._tag !== "TcpAddress") throw new Error("expected a TCP address")
    const client = yield* HttpClient.HttpClient
    /** POSTs `body` as JSON, or, with `contentType`, its JSON text as that type. */
    /** `body` null: none, and no Content-Type. */
    const post = (path: string, body: unknown = {}, bearer: string | null = token, contentType?: string) =>
      Effect.gen(function*() {
        let request = HttpClientRequest.post(`http://127.0.0.1:${address.port}${path}`)
        if (bearer !== null) request = HttpClientRequest.bearerToken(request, bearer)
        request = body === null
          ? request
          : contentType === undefined
          ? HttpClientRequest.bodyUnsafeJson(request, body)
          : HttpClientRequest.bodyText(request, JSON.stringify(body), contentType)
        const response = yield* client.execute(request)
        return { status: response.status, json: (yield* response.json) as Record<string, unknown>, headers: response.headers }
      })
    /** A pass as the loop runs one: decisions first, then what it kept. */
    const pass = (changes: ReadonlyArray<ReturnType<typeof deactivate>>) =>
      Effect.gen(function*() {
        const begun = yield* control.begin
        const { allowed, kept } = Policy.gate(changes, confirm, begun.decisions)
        yield* begun.finish(passResult({ kept, dryRun: begun.suspended }))
        return { allowed, kept, suspended: begun.suspended }
      })
    return { post, pass, control, db: Context.get(db, StateDb.StateDb) }
  })

const test = (name: string, body: () => Effect.Effect<void, unknown, NodeContext.NodeContext | HttpClient.HttpClient | Scope.Scope>) =>
  it.scopedLive(name, () => body().pipe(Effect.provide(Layer.merge(NodeContext.layer, FetchHttpClient.layer))))

describe("the admin API", () => {
  test("without a configured token every admin endpoint answers 403, disabled", () =>
    Effect.gen(function*() {
      const { post } = yield* adminServer(Option.none())
      for (const path of ["/api/approvals", "/api/rejections", "/api/suspend", "/api/resume"]) {
        const answer = yield* post(path, { all: true })
        expect(answer.status, path).toBe(403)
        expect(answer.json.error).toContain("the admin API is disabled")
      }
    }))

  test("a refused request is logged with its path, never its query string, which may hold a token", () =>
    Effect.gen(function*() {
      const logged: Array<string> = []
      const capture = Logger.make(({ annotations, message }) => logged.push(`${String(message)} ${JSON.stringify([...annotations])}`))
      yield* Effect.gen(function*() {
        const { post } = yield* adminServer(Option.some(Redacted.make(token)))
        const refused = yield* post("/api/rejections?token=tok-SUPERSECRET", { all: true }, null)
        expect(refused.status).toBe(401)
      }).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, capture)))
      const line = logged.find((entry) => entry.includes("admin request refused"))
      expect(line).toContain("/api/rejections")
      expect(logged.join("\n")).not.toContain("SUPERSECRET")
    }))

  test("suspend and resume take no body and no Content-Type, as they need nothing", () =>
    Effect.gen(function*() {
      const { control, post } = yield* adminServer(Option.some(Redacted.make(token)))
      const suspended = yield* post("/api/suspend", null)
      expect(suspended.status).toBe(200)
      expect(suspended.json).toEqual({ suspended: true, changed: true })
      expect((yield* SubscriptionRef.get(control.state)).suspended).toBeDefined()
      expect((yield* post("/api/resume", null)).json).toEqual({ suspended: false, changed: true })
      expect((yield* post("/api/approvals", null)).status).toBe(415)
    }))

  test("without a token or with a wrong one: 401, and nothing changes", () =>
    Effect.gen(function*() {
      const { control, post } = yield* adminServer(Option.some(Redacted.make(token)))
      const missing = yield* post("/api/suspend", undefined, null)
      expect(missing.status).toBe(401)
      expect(missing.headers["www-authenticate"]).toBe("Bearer")
      expect(missing.json.error).toContain("Authorization: Bearer")
      const wrong = yield* post("/api/suspend", undefined, `${token}x`)
      expect(wrong.status).toBe(401)
      expect(wrong.json.error).toBe("wrong admin token")
      expect((yield* SubscriptionRef.get(control.state)).suspended).toBeUndefined()
    }))

  test("a body that is not sent as application/json is refused with 415 by every admin endpoint, and changes nothing", () =>
    Effect.gen(function*() {
      const { control, pass, post } = yield* adminServer(Option.some(Redacted.make(token)))
      const { kept } = yield* pass([deactivate("Sales")])
      const body = { ids: [kept[0]!.id] }
      for (const path of ["/api/approvals", "/api/rejections", "/api/suspend", "/api/resume"]) {
        for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
          const answer = yield* post(path, body, token, type)
          expect(answer.status, `${path} ${type}`).toBe(415)
          expect(answer.json.error).toBe(`an admin request needs Content-Type: application/json, not ${type.split(";")[0]}`)
        }
      }
      const state = yield* SubscriptionRef.get(control.state)
      expect(state).toMatchObject({ suspended: undefined, approved: new Map(), rejected: new Set() })
      expect((yield* post("/api/approvals", body, token, "application/json; charset=utf-8")).status).toBe(200)
    }))

  test("an approval covers the held change of its checksum for the next pass; a changed plan lets it lapse", () =>
    Effect.gen(function*() {
      const { pass, post } = yield* adminServer(Option.some(Redacted.make(token)))
      const first = yield* pass([deactivate("Sales", ["Sales/EMEA"]), deactivate("Legal")])
      expect(first.allowed).toEqual([])
      const [sales, legal] = first.kept

      const unknown = yield* post("/api/approvals", { ids: ["000000000000"] })
      expect(unknown.status).toBe(404)
      expect(unknown.json.error).toContain(`held now: ${sales!.id}, ${legal!.id}`)
      expect((yield* post("/api/approvals", { id: sales!.id })).status).toBe(400)

      const approved = yield* post("/api/approvals", { ids: [sales!.id] })
      expect(approved.status).toBe(200)
      expect(approved.json).toEqual({
        approved: [{ id: sales!.id, action: "deactivate", path: "Sales", orgUid: "u/Sales", reach: 2, checksum: sales!.checksum }],
        pass: "started"
      })
      const next = yield* pass([deactivate("Sales", ["Sales/EMEA"]), deactivate("Legal")])
      expect(next.allowed.map((c) => c.path)).toEqual(["Sales"])
      expect(next.kept.map((k) => k.change.path)).toEqual(["Legal"])

      // Approved, then the plan changes before the pass: the approval does not carry over to the new change.
      yield* post("/api/approvals", { ids: [legal!.id] })
      const changed = yield* pass([deactivate("Legal", ["Legal/Contracts"])])
      expect(changed.allowed).toEqual([])
      const after = yield* pass([deactivate("Legal")])
      expect(after.allowed).toEqual([])
      expect(after.kept.map((k) => k.reason)).toEqual(["awaiting-approval"])
    }))

  test("approve all, reject one: the rejected change stays held as rejected until approved", () =>
    Effect.gen(function*() {
      const { control, pass, post } = yield* adminServer(Option.some(Redacted.make(token)))
      const { kept } = yield* pass([deactivate("Sales"), deactivate("Legal")])
      const rejected = yield* post("/api/rejections", { ids: [kept[1]!.id] })
      expect(rejected.status).toBe(200)
      expect((rejected.json.rejected as ReadonlyArray<{ path: string }>).map((r) => r.path)).toEqual(["Legal"])
      expect((yield* SubscriptionRef.get(control.state)).held.map((h) => h.reason)).toEqual(["awaiting-approval", "rejected"])

      const all = yield* post("/api/approvals", { all: true })
      expect((all.json.approved as ReadonlyArray<{ path: string }>).map((r) => r.path)).toEqual(["Sales"])
      const next = yield* pass([deactivate("Sales"), deactivate("Legal")])
      expect(next.allowed.map((c) => c.path)).toEqual(["Sales"])
      expect(next.kept.map((k) => k.reason)).toEqual(["rejected"])

      expect((yield* post("/api/approvals", { ids: [kept[1]!.id] })).status).toBe(200)
      expect((yield* pass([deactivate("Legal")])).allowed.map((c) => c.path)).toEqual(["Legal"])
    }))

  test("suspend and resume: passes make no write meanwhile, approvals wait, and a restart keeps the suspension", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const state = `${yield* fs.makeTempDirectoryScoped({ prefix: "orgsync-admin-" })}/state.db`
      yield* Effect.scoped(Effect.gen(function*() {
        const { pass, post } = yield* adminServer(Option.some(Redacted.make(token)), state)
        const { kept } = yield* pass([deactivate("Sales")])
        expect(yield* post("/api/suspend")).toMatchObject({ status: 200, json: { suspended: true, changed: true } })
        expect(yield* post("/api/suspend")).toMatchObject({ status: 200, json: { suspended: true, changed: false } })
        yield* post("/api/approvals", { ids: [kept[0]!.id] })
        const suspended = yield* pass([deactivate("Sales")])
        expect(suspended.suspended).toBe(true)
        expect(suspended.allowed).toEqual([])
      }))

      // Restarted on the same state database once the first has closed it (one writer at a time).
      const { control, pass, post } = yield* adminServer(Option.some(Redacted.make(token)), state)
      expect((yield* SubscriptionRef.get(control.state)).suspended).toBeInstanceOf(Date)

      expect(yield* post("/api/resume")).toMatchObject({ status: 200, json: { suspended: false, changed: true } })
      const resumed = yield* pass([deactivate("Sales")])
      expect(resumed.suspended).toBe(false)
      expect(resumed.allowed.map((c) => c.path)).toEqual(["Sales"])
    }))

  test("approvals and rejections of one change racing: the state database keeps the decision the daemon holds", () =>
    Effect.gen(function*() {
      const { control, db, pass } = yield* adminServer(Option.some(Redacted.make(token)))
      const { kept } = yield* pass([deactivate("Sales")])
      const id = kept[0]!.id
      yield* Effect.all(
        Array.from({ length: 40 }, (_, i) => Effect.ignore(i % 2 === 0 ? control.approve([id]) : control.reject([id]))),
        { concurrency: "unbounded" }
      )
      const held = yield* SubscriptionRef.get(control.state)
      const decided = yield* db.decisions.all
      expect(decided.map((d) => d.decision)).toEqual([held.approved.has(kept[0]!.checksum) ? "approved" : "rejected"])
      expect(held.approved.has(kept[0]!.checksum)).toBe(!held.rejected.has(kept[0]!.checksum))
    }))

  test("the token compares in constant time over digests, whatever the lengths", () =>
    Effect.sync(() => {
      expect(AdminToken.sameToken(token, Redacted.make(token))).toBe(true)
      expect(AdminToken.sameToken("short", Redacted.make(token))).toBe(false)
      expect(AdminToken.sameToken(`${token}${token}`, Redacted.make(token))).toBe(false)
    }))
})
