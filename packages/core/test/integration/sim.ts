/**
 * The real simulator on loopback, shared by the tests of one file, and clients connected to it over real
 * HTTP (undici).
 */
import { NodeHttpClient } from "@effect/platform-node"
import { Simulator } from "@c42/simulator"
import { Context, Effect, Layer, Redacted } from "effect"
import type * as ClientConfig from "../../src/ClientConfig.js"
import * as OrgClient from "../../src/OrgClient.js"

export class Sim extends Context.Tag("test/Sim")<Sim, Simulator.Handle>() {}

export const totpSecret = "JBSWY3DPEHPK3PXP"

export const accounts = {
  users: [
    { username: "admin", password: "secret" },
    { username: "mfa", password: "secret", totpSecret }
  ],
  apiClients: [{ clientId: "key-1", secret: "client-secret" }]
} as const

/** A simulator for the file, with the accounts above. */
export const layer = (options: Simulator.Options = {}) =>
  Layer.scoped(Sim, Simulator.start({ port: 0, randomSeed: 42, ...accounts, ...options }).pipe(Effect.orDie))

export const admin: ClientConfig.Auth = { _tag: "LocalAccount", username: "admin", password: Redacted.make("secret") }

export const apiClient: ClientConfig.Auth = {
  _tag: "ApiClient",
  clientId: "key-1",
  secret: Redacted.make("client-secret")
}

/** A client of `sim`, for the test's scope; retries are quick so that failing cases stay fast. */
export const connect = (sim: Simulator.Handle, overrides: Partial<ClientConfig.ClientConfig> = {}) =>
  Layer.build(
    OrgClient.layer({
      url: sim.url,
      auth: admin,
      retry: { times: 4, base: "20 millis", cap: "200 millis" },
      ...overrides
    }).pipe(Layer.provide(NodeHttpClient.layerUndici))
  ).pipe(Effect.map(Context.get(OrgClient.OrgClient)), Effect.orDie)

/** Back to the start seed, without faults, with an empty request log. */
export const fresh = Effect.gen(function*() {
  const sim = yield* Sim
  sim.reset()
  sim.setFaults({
    latencyMs: 0,
    jitterMs: 0,
    rateLimit: 0,
    faultRate: 0,
    resetRate: 0,
    lostResponseRate: 0,
    maxPageSize: 0,
    totalCountOffset: 0
  })
  sim.setRules({
    uniqueNames: "none",
    renameOnDeactivate: false,
    legacyBodies: false,
    errorsInData: false,
    errorsInReasonPhrase: false
  })
  sim.clearRequests()
  return sim
})

/** The org of that name as the server holds it; fails when there is not exactly one. */
export const named = (sim: Simulator.Handle, name: string) => {
  const matches = sim.orgs().filter((org) => org.orgName === name)
  if (matches.length !== 1) throw new Error(`Expected one org named "${name}", found ${matches.length}`)
  return matches[0]!
}

/** The API requests the simulator received, as "METHOD /path" (sign-ins left out). */
export const sent = (sim: Simulator.Handle) =>
  sim.requests()
    .filter((r) => !/\/(auth\/jwt|oauth\/token)$/.test(r.path))
    .map((r) => `${r.method} ${r.path}`)
