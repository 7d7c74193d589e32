/**
 * A loopback proxy in front of the simulator, for what the simulator's random faults cannot do: answer one
 * chosen request in its place (a failure exactly where a test needs it), and watch every exchange (the tokens
 * that pass through it).
 */
import { Effect } from "effect"
import * as http from "node:http"
import type { AddressInfo } from "node:net"

export interface Exchange {
  readonly method: string
  /** The path and query. */
  readonly url: string
  readonly headers: http.IncomingHttpHeaders
  readonly body: Buffer
}

export interface Answer {
  readonly status: number
  readonly body: string
}

export interface ProxyOptions {
  /** An answer given instead of the target's; `undefined` lets the request through. */
  readonly intercept?: (request: Exchange) => Answer | undefined
  /** Awaited before a request goes through: holds it, or changes the target meanwhile. */
  readonly before?: (request: Exchange) => Promise<void>
  /** Sees every request that went through, with the target's answer. */
  readonly observe?: (request: Exchange, answer: Answer) => void
}

/** Serves on a free loopback port for the life of the scope; answers its base URL. */
export const proxy = (target: string, options: ProxyOptions) =>
  Effect.acquireRelease(
    Effect.async<{ readonly url: string; readonly server: http.Server }>((resume) => {
      const server = http.createServer((incoming, response) => {
        const chunks: Array<Buffer> = []
        incoming.on("data", (chunk: Buffer) => chunks.push(chunk))
        incoming.on("end", async () => {
          const request: Exchange = {
            method: incoming.method ?? "GET",
            url: incoming.url ?? "/",
            headers: incoming.headers,
            body: Buffer.concat(chunks)
          }
          const reply = (answer: Answer, contentType: string) => {
            response.writeHead(answer.status, { "content-type": contentType })
            response.end(answer.body)
          }
          const instead = options.intercept?.(request)
          if (instead !== undefined) return reply(instead, "application/json")
          await options.before?.(request)
          const headers = Object.fromEntries(
            Object.entries(request.headers).flatMap(([key, value]) =>
              typeof value === "string" && !["host", "connection", "content-length"].includes(key) ? [[key, value]] : []
            )
          )
          const answered = await fetch(`${target}${request.url}`, {
            method: request.method,
            headers,
            ...(request.body.length > 0 ? { body: request.body } : {})
          })
          const answer: Answer = { status: answered.status, body: await answered.text() }
          options.observe?.(request, answer)
          reply(answer, answered.headers.get("content-type") ?? "text/plain")
        })
      })
      server.listen(0, "127.0.0.1", () =>
        resume(Effect.succeed({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server })))
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ url }) => url))
