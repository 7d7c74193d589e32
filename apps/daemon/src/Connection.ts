/**
 * The layers of a command that talks to Code42: the client, the state database and the reconciler over them.
 * The HTTP client is loaded by the commands that use it only, so that the others (validate, --help) start
 * quickly.
 */
import type { ClientConfig } from "@c42/core"
import { OrgApi, Reconciler, StateDb } from "@c42/reconcile"
import { Effect, Layer } from "effect"
import * as Settings from "./Settings.js"

/** The layers over a client configured as `clientConfig`. */
export const layers = (settings: Settings.Settings, clientConfig: ClientConfig.ClientConfig) =>
  Effect.promise(() => import("@effect/platform-node/NodeHttpClient")).pipe(Effect.map((NodeHttpClient) => {
    const client = OrgApi.layer(clientConfig).pipe(Layer.provide(NodeHttpClient.layerUndici))
    const db = StateDb.layer(settings.state)
    const reconciler = Reconciler.layer({
      principal: Settings.principal(clientConfig),
      signedInUser: clientConfig.auth._tag === "LocalAccount",
      concurrency: clientConfig.concurrency ?? 8
    })
    return Layer.provideMerge(reconciler, Layer.merge(client, db))
  }))

/** The layers of a command that talks to Code42 and the state database, from its settings. */
export const connected = (settings: Settings.Settings) =>
  Effect.flatMap(Settings.clientConfig(settings), (clientConfig) => layers(settings, clientConfig))
