/**
 * Real Code42 answers (`test/fixtures/code42-real/`, one file each, with where it comes from) and a loopback
 * HTTP server that answers with them exactly: status, reason phrase, headers and body as recorded.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { Context, Effect, Layer, Redacted } from "effect"
import * as fs from "node:fs"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import type * as ClientConfig from "../../src/ClientConfig.js"
import * as GatewayClient from "../../src/GatewayClient.js"
import * as OrgClient from "../../src/OrgClient.js"

/** A recorded answer, as the files hold it. */
export interface Answer {
  readonly status: number
  readonly reason: string | null
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

export interface Real {
  readonly id: string
  readonly source: { readonly repo: string; readonly path: string; readonly commit: string; readonly what: string }
  readonly reality: "recorded" | "captured" | "vendor-mock" | "spec"
  readonly request: string | null
  readonly response: { readonly status: number | null } & Omit<Answer, "status">
}

const folder = new URL("../fixtures/code42-real/", import.meta.url)

/** Every real answer of the record, by id. */
export const record: ReadonlyMap<string, Real> = new Map(
  fs.readdirSync(folder).filter((name) => name.endsWith(".json")).sort().map((name) => {
    const real = JSON.parse(fs.readFileSync(new URL(name, folder), "utf8")) as Real
    return [real.id, real]
  })
)

export const real = (id: string): Real => {
  const found = record.get(id)
  if (found === undefined) throw new Error(`No real answer "${id}" in the record`)
  return found
}

/** The answer of a real file (the `spec` files hold a schema, not an answer: see `example`). */
export const answerOf = (id: string): Answer => {
  const { response } = real(id)
  if (response.status === null) throw new Error(`"${id}" holds a schema, not an answer`)
  return { ...response, status: response.status }
}

/** The JSON body of a real answer. */
export const bodyOf = (id: string): unknown => JSON.parse(answerOf(id).body)

/** The payload: `data` of the envelope, or the whole body. */
export const payloadOf = (body: unknown): unknown =>
  typeof body === "object" && body !== null && !Array.isArray(body) && "data" in body ? body.data : body

interface Property {
  readonly type?: string
  readonly items?: Property
}

/**
 * A value for every property of a published schema (`spec-def-*`): what a server answering exactly that
 * schema would send. Ids and uids get recognisable values, booleans say active and not blocked.
 */
export const example = (id: string): Record<string, unknown> => {
  const schema = JSON.parse(real(id).response.body) as { readonly properties: Record<string, Property> }
  return Object.fromEntries(Object.entries(schema.properties).map(([name, property]) => {
    switch (property.type) {
      case "integer":
        return [name, /Id$/.test(name) ? 4242 : 7]
      case "boolean":
        return [name, name !== "blocked"]
      case "array":
        return [name, []]
      case "object":
        return [name, {}]
      default:
        return [name, /Uid$/.test(name) ? "4242000" : /Date$/.test(name) ? "2024-09-13T10:00:00.000Z" : `${name} text`]
    }
  }))
}

/** A request as the server saw it. */
export interface Received {
  readonly method: string
  readonly path: string
  readonly query: URLSearchParams
  readonly headers: http.IncomingHttpHeaders
  readonly body: string
}

export type Respond = (request: Received) => Answer

export interface ReplayServer {
  readonly url: string
  /** Sets how the server answers from now on. */
  readonly answer: (respond: Respond) => void
  /** The requests received since the last `answer`. */
  readonly received: () => ReadonlyArray<Received>
}

export class Server extends Context.Tag("test/ReplayServer")<Server, ReplayServer>() {}

/** A loopback server for the tests of a file; it answers 404 until told otherwise. */
export const layer = Layer.scoped(
  Server,
  Effect.acquireRelease(
    Effect.async<{ readonly server: http.Server; readonly handle: ReplayServer }>((resume) => {
      let respond: Respond = () => ({ status: 404, reason: null, headers: {}, body: "" })
      let log: Array<Received> = []
      const server = http.createServer((request, response) => {
        const chunks: Array<Buffer> = []
        request.on("data", (chunk: Buffer) => chunks.push(chunk))
        request.on("end", () => {
          const url = new URL(request.url ?? "/", "http://127.0.0.1")
          const received = {
            method: request.method ?? "GET",
            path: url.pathname,
            query: url.searchParams,
            headers: request.headers,
            body: Buffer.concat(chunks).toString("utf8")
          }
          log.push(received)
          const answer = respond(received)
          response.writeHead(answer.status, answer.reason ?? undefined, answer.headers)
          response.end(answer.status === 204 ? undefined : answer.body)
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(Effect.succeed({
          server,
          handle: {
            url: `http://127.0.0.1:${port}`,
            answer: (next) => {
              respond = next
              log = []
            },
            received: () => log
          }
        }))
      })
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ handle }) => handle))
)

/** The password of the clients of `connect`: no message may show it. */
export const password = "replay-password-4f1c"

/** A client of the replay server, for the test's scope; retries are immediate. */
export const connect = (server: ReplayServer, config: Partial<ClientConfig.ClientConfig> = {}) =>
  Layer.build(
    OrgClient.layer({
      url: server.url,
      auth: { _tag: "LocalAccount", username: "admin", password: Redacted.make(password) },
      retry: { times: 2, base: "1 millis", cap: "2 millis" },
      ...config
    }).pipe(Layer.provide(NodeHttpClient.layerUndici))
  ).pipe(Effect.map(Context.get(OrgClient.OrgClient)), Effect.orDie)

/** The secret of the API client of `connectGateway`: no message may show it. */
export const gatewaySecret = "gateway-secret-9d2e"

/**
 * A client of the gateway family on the replay server, for the test's scope, signed in as the API client
 * `key-42` unless `auth` says otherwise; retries are immediate.
 */
export const connectGateway = (server: ReplayServer, auth?: ClientConfig.Auth) =>
  Layer.build(
    GatewayClient.layer({
      url: server.url,
      api: "gateway",
      auth: auth ?? { _tag: "ApiClient", clientId: "key-42", secret: Redacted.make(gatewaySecret) },
      retry: { times: 2, base: "1 millis", cap: "2 millis" }
    }).pipe(Layer.provide(NodeHttpClient.layerUndici))
  ).pipe(Effect.map(Context.get(GatewayClient.GatewayClient)), Effect.orDie)

/** An answer with `body` as JSON. */
export const json = (status: number, body: unknown): Answer => ({
  status,
  reason: null,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body)
})
