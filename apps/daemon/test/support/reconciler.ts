/**
 * The reconciler in-process, as the unit tests run it: over the real simulator, signed in as its admin, with a
 * real state file. A test double for the client is a Layer over the real one.
 */
import { NodeContext, NodeFileSystem, NodeHttpClient } from "@effect/platform-node"
import { OrgClient } from "@c42/core"
import { Effect, Layer, Redacted } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { DesiredFiles, OrgApi, Reconciler, StateDb } from "@c42/reconcile"

const folder = () => fs.mkdtempSync(path.join(os.tmpdir(), "orgsync-reconciler-"))

/** A state database path in a new folder: none there yet. */
export const newStatePath = () => path.join(folder(), "state.db")

/** The desired state of an orgs.yaml holding `yaml`, in a new folder. */
export const desiredFrom = (yaml: string) => {
  const file = path.join(folder(), "orgs.yaml")
  fs.writeFileSync(file, yaml)
  return DesiredFiles.load(file).pipe(Effect.provide(NodeFileSystem.layer))
}

/**
 * The reconciler over the simulator at `url` and the state database `state` (a new one unless given), with
 * `override` changing some of the client's methods.
 */
export const reconcilerAt = (
  url: string,
  options: {
    readonly state?: string
    readonly override?: (client: OrgClient.OrgClient) => Partial<OrgClient.OrgClient>
  } = {}
) => {
  const real = OrgClient.layer({
    url,
    auth: { _tag: "LocalAccount", username: "admin", password: Redacted.make("secret") }
  }).pipe(Layer.provide(NodeHttpClient.layerUndici))
  const client = Layer.effect(
    OrgClient.OrgClient,
    Effect.map(OrgClient.OrgClient, (c) => ({ ...c, ...options.override?.(c) }))
  ).pipe(Layer.provide(real))
  const api = OrgApi.layerOrgClient("v3").pipe(Layer.provide(client))
  const db = StateDb.layer(options.state ?? newStatePath()).pipe(Layer.provide(NodeContext.layer))
  return Reconciler.layer({ principal: `${url} admin`, signedInUser: true, concurrency: 4 }).pipe(
    Layer.provideMerge(Layer.merge(api, db))
  )
}
