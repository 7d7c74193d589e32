/**
 * The layers of a command that talks to Code42: the client, the state database and the reconciler over them.
 * Only `apply` and `run` open the state database as its writer (holding its lock); `plan` and `status` read it
 * read-only, and `import` does not open it. The HTTP client is loaded by the commands that use it only, so
 * that the others (validate, --help) start quickly.
 */
import type { ClientConfig } from "@c42/core"
import { OrgApi, Reconciler, StateDb } from "@c42/reconcile"
import { Effect, Layer } from "effect"
import * as Settings from "./Settings.js"

/** The client of the endpoint family, configured as `clientConfig`. */
export const client = (clientConfig: ClientConfig.ClientConfig) =>
  Effect.map(
    Effect.promise(() => import("@effect/platform-node/NodeHttpClient")),
    (NodeHttpClient) => OrgApi.layer(clientConfig).pipe(Layer.provide(NodeHttpClient.layerUndici))
  )

/** The layers over a client configured as `clientConfig`, with the state database's writer. */
export const layers = (settings: Settings.Settings, clientConfig: ClientConfig.ClientConfig) =>
  Effect.map(client(clientConfig), (api) => {
    const db = StateDb.layer(settings.state)
    const reconciler = Reconciler.layer({
      principal: Settings.principal(clientConfig),
      signedInUser: clientConfig.auth._tag === "LocalAccount",
      concurrency: clientConfig.concurrency ?? 8
    })
    return Layer.provideMerge(reconciler, Layer.merge(api, db))
  })

/** The layers of a command that talks to Code42 and writes the state database, from its settings. */
export const connected = (settings: Settings.Settings) =>
  Effect.flatMap(Settings.clientConfig(settings), (clientConfig) => layers(settings, clientConfig))

/**
 * The state database of a command that only reads it, opened read-only and never created. Where there is none
 * at the default path, it reads as empty (a first plan, in CI or before any apply); where there is none at a
 * path given by `--state`, `ORGSYNC_STATE` or the settings file, the command fails with "no state database at
 * PATH": the path was mistyped.
 */
export const reader = (settings: Settings.Settings) =>
  StateDb.layerReadOnly(settings.state, { missing: settings.given.has("state") ? "fail" : "empty" })
