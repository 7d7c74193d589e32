/**
 * The daemon's HTTP endpoints on `--listen`: `/healthz` (alive), `/readyz` (the last pass reached Code42 and
 * the desired files validate), `/metrics` (Prometheus text), `/api/status` (JSON) and `/` (the status page).
 */
import { HttpRouter, HttpServer, HttpServerResponse } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Clock, Context, Data, Effect, Layer, Option, type Scope } from "effect"
import { createServer } from "node:http"
import * as DaemonMetrics from "./DaemonMetrics.js"
import { DaemonStatus, notReady, view } from "./DaemonStatus.js"
import * as StatusPage from "./StatusPage.js"
import { StateDb } from "@c42/reconcile"

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

/** Runs shown from the state database's history. */
const runsShown = 20

// Every answer describes the present: no cache may keep it.
const noStore = { headers: { "cache-control": "no-store" } }

const currentView = Effect.gen(function*() {
  const state = yield* DaemonStatus
  const db = yield* StateDb.StateDb
  const runs = yield* db.recentRuns(runsShown).pipe(
    Effect.map((runs) => ({ runs })),
    Effect.catchAll((error) => Effect.succeed({ error: error.message }))
  )
  return view(yield* state.get, runs, new Date(yield* Clock.currentTimeMillis))
})

export const router = HttpRouter.empty.pipe(
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
  HttpRouter.get(
    "/",
    Effect.map(
      currentView,
      (status) =>
        HttpServerResponse.text(StatusPage.render(status), { ...noStore, contentType: "text/html; charset=utf-8" })
    )
  )
)

/**
 * Serves the endpoints on `listen` for the life of the scope; succeeds once listening, with the address bound
 * (port 0 picks a free port).
 */
export const serve = (
  listen: Listen
): Effect.Effect<HttpServer.Address, ListenError, DaemonStatus | StateDb.StateDb | Scope.Scope> =>
  Effect.gen(function*() {
    const context = yield* Layer.build(
      HttpServer.serve(router).pipe(
        Layer.provideMerge(NodeHttpServer.layer(() => createServer(), { host: listen.host, port: listen.port }))
      )
    ).pipe(Effect.mapError((error) => new ListenError({ listen, cause: error.cause })))
    return Context.get(context, HttpServer.HttpServer).address
  })
