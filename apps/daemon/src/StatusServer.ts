/**
 * The daemon's HTTP endpoints on `--listen`: `/healthz` (alive), `/readyz` (the last pass reached Code42 and
 * the desired files validate), `/metrics` (Prometheus text), `/api/status` (JSON), `/api/tree` (the org tree,
 * a page of children at a time), `/api/runs/<id>` (a run with its writes), `/` (the status page) and
 * `/runs/<id>` (the page of a run); `POST /api/refresh` (a push webhook) starts a fetch and a pass at once;
 * and the admin endpoints of `AdminApi`.
 */
import { HttpRouter, HttpServer, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Clock, Context, Data, Effect, Layer, Option, Schema, type Scope, SynchronizedRef } from "effect"
import { createServer } from "node:http"
import * as AdminApi from "./AdminApi.js"
import { AdminToken } from "./AdminToken.js"
import * as ControlView from "./ControlView.js"
import * as DaemonControl from "./DaemonControl.js"
import * as DaemonMetrics from "./DaemonMetrics.js"
import { DaemonStatus, notReady, type RunDetail, runDetail, view } from "./DaemonStatus.js"
import * as StatusPage from "./StatusPage.js"
import { StateDb } from "@c42/reconcile"
import * as StatusTree from "./StatusTree.js"

export interface Listen {
  readonly host: string
  readonly port: number
}

export class ListenError extends Data.TaggedError("ListenError")<{
  readonly listen: Listen
  readonly cause: unknown
}> {
  override get message(): string {
    const reason = this.cause instanceof Error ? this.cause.message : String(this.cause)
    return `cannot listen on ${this.listen.host}:${this.listen.port}: ${reason}`
  }
}

/**
 * Asks the daemon to fetch the desired files and pass now; a pass under way is followed by one more. It writes
 * nothing by itself, so it needs no authentication, and any number of calls make at most one pass more.
 */
export class Refresh extends Context.Tag("@c42/daemon/Refresh")<Refresh, Effect.Effect<void>>() {}

/** Runs shown from the state database's history. */
const runsShown = 20

// Every answer describes the present: no cache may keep it.
const noStore = { headers: { "cache-control": "no-store" } }

const htmlPage = { ...noStore, contentType: "text/html; charset=utf-8" }

const currentView = Effect.gen(function*() {
  const state = yield* DaemonStatus
  const db = yield* StateDb.StateDb
  const runs = yield* db.readableRuns(runsShown).pipe(
    Effect.map((runs) => ({ runs: runs.value, unreadable: runs.unreadable })),
    Effect.catchAll((error) => Effect.succeed({ error: error.message }))
  )
  const control = yield* Effect.serviceOption(DaemonControl.DaemonControl)
  const controlView = Option.isSome(control)
    ? ControlView.view(yield* control.value.state.get)
    : ControlView.idle
  const admin = Option.isSome(Option.flatten(yield* Effect.serviceOption(AdminToken)))
  return { ...view(yield* state.get, runs, new Date(yield* Clock.currentTimeMillis), controlView), admin }
})

const nothingHeld: ReadonlyArray<DaemonControl.Held> = []

/** The changes the policy keeps back, as the tree marks them; none without a policy's state. */
const heldChanges = Effect.flatMap(
  Effect.serviceOption(DaemonControl.DaemonControl),
  (control) =>
    Option.isNone(control) ? Effect.succeed(nothingHeld) : Effect.map(control.value.state.get, (state) => state.held)
)

/**
 * The org tree of the last snapshot and plan, with the changes held. Building it reads the whole snapshot, so
 * it is kept until a pass saves a new snapshot, leaves another plan or holds other changes, or a change is
 * rejected.
 */
const treeCache = Effect.map(
  SynchronizedRef.make<{ readonly key: ReadonlyArray<unknown>; readonly tree: StatusTree.Tree } | undefined>(undefined),
  (cache) =>
    SynchronizedRef.modifyEffect(cache, (cached) =>
      Effect.gen(function*() {
        const db = yield* StateDb.StateDb
        const state = yield* Effect.flatMap(DaemonStatus, (status) => status.get)
        const held = yield* heldChanges
        const key = [Option.getOrUndefined(yield* db.getMeta("snapshot_taken_at")), state.plan, held]
        if (cached !== undefined && cached.key.every((part, i) => part === key[i])) return [cached.tree, cached]
        const tree = StatusTree.make(
          Option.getOrUndefined(yield* db.snapshot),
          state.plan,
          held.map((kept) => ({ ...kept.change, reason: kept.reason }))
        )
        return [tree, { key, tree }]
      })
    )
)

const TreeQuery = Schema.Struct({
  under: Schema.optional(Schema.String.pipe(Schema.minLength(1))),
  offset: Schema.optional(Schema.NumberFromString.pipe(Schema.int(), Schema.nonNegative())),
  limit: Schema.optional(Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, StatusTree.maxLimit)))
})

const problem = (status: number, error: string) => HttpServerResponse.unsafeJson({ error }, { ...noStore, status })

const treeRoute = (tree: Effect.Effect<StatusTree.Tree, StateDb.StateDbError, StateDb.StateDb | DaemonStatus>) =>
  Effect.gen(function*() {
    const query = yield* HttpServerRequest.schemaSearchParams(TreeQuery).pipe(Effect.option)
    if (Option.isNone(query)) {
      return problem(
        400,
        `expected /api/tree?under=<orgUid>&offset=<0 or more>&limit=<1 to ${StatusTree.maxLimit}>, each optional`
      )
    }
    const found = StatusTree.page(yield* tree, query.value)
    return found === undefined
      ? problem(404, `no org ${query.value.under} under the managed root in the last snapshot`)
      : HttpServerResponse.unsafeJson(found, noStore)
  }).pipe(Effect.catchTag("StateDbError", (error) => Effect.succeed(problem(500, error.message))))

/** The run the path names, with its writes; fails with a 404 (or 400) that says why when there is none. */
const runOf = Effect.gen(function*() {
  const id = (yield* HttpRouter.params)["id"] ?? ""
  if (!/^[1-9]\d{0,15}$/.test(id)) return yield* Effect.fail(problem(400, `expected a run number, not ${JSON.stringify(id)}`))
  const db = yield* StateDb.StateDb
  const found = yield* db.runWithWrites(Number(id)).pipe(Effect.mapError((error) => problem(500, error.message)))
  if (Option.isNone(found)) return yield* Effect.fail(problem(404, `no run ${id} in the state database`))
  return runDetail(found.value.run, found.value.writes)
})

const runRoute = <R>(answer: (detail: RunDetail) => Effect.Effect<HttpServerResponse.HttpServerResponse, never, R>) =>
  runOf.pipe(Effect.flatMap(answer), Effect.merge)

const routes = (tree: Effect.Effect<StatusTree.Tree, StateDb.StateDbError, StateDb.StateDb | DaemonStatus>) => AdminApi.router.pipe(
  HttpRouter.get("/healthz", Effect.succeed(HttpServerResponse.text("ok\n", noStore))),
  HttpRouter.get(
    "/readyz",
    Effect.gen(function*() {
      const status = yield* DaemonStatus
      return Option.match(notReady(yield* status.get), {
        onNone: () => HttpServerResponse.text("ready\n", noStore),
        onSome: (reason) => HttpServerResponse.text(`not ready: ${reason}\n`, { ...noStore, status: 503 })
      })
    })
  ),
  HttpRouter.get(
    "/metrics",
    Effect.map(
      DaemonMetrics.prometheus,
      (text) => HttpServerResponse.text(text, { ...noStore, contentType: DaemonMetrics.contentType })
    )
  ),
  HttpRouter.get("/api/status", Effect.map(currentView, (status) => HttpServerResponse.unsafeJson(status, noStore))),
  HttpRouter.post(
    "/api/refresh",
    Effect.flatMap(Refresh, (refresh) => refresh).pipe(
      Effect.as(HttpServerResponse.unsafeJson({ refresh: "started" }, { ...noStore, status: 202 }))
    )
  ),
  HttpRouter.get("/api/tree", treeRoute(tree)),
  HttpRouter.get("/api/runs/:id", runRoute((detail) => Effect.succeed(HttpServerResponse.unsafeJson(detail, noStore)))),
  HttpRouter.get(
    "/runs/:id",
    runRoute((detail) =>
      Effect.map(currentView, (status) => HttpServerResponse.text(StatusPage.renderRun(status, detail), htmlPage))
    )
  ),
  HttpRouter.get(
    "/",
    Effect.map(
      currentView,
      (status) =>
        HttpServerResponse.text(StatusPage.render(status), htmlPage)
    )
  )
)

/**
 * Serves the endpoints on `listen` for the life of the scope; succeeds once listening, with the address bound
 * (port 0 picks a free port).
 */
export const serve = (
  listen: Listen
): Effect.Effect<HttpServer.Address, ListenError, DaemonStatus | StateDb.StateDb | Refresh | Scope.Scope> =>
  Effect.gen(function*() {
    const router = routes(yield* treeCache)
    const context = yield* Layer.build(
      HttpServer.serve(router).pipe(
        Layer.provideMerge(NodeHttpServer.layer(() => createServer(), { host: listen.host, port: listen.port }))
      )
    ).pipe(Effect.mapError((error) => new ListenError({ listen, cause: error.cause })))
    return Context.get(context, HttpServer.HttpServer).address
  })
