/**
 * A webhook receiver on loopback, as a chat service or an alerting bridge would be: it records every JSON
 * POST, and answers each with the next status of a script (the last one repeats); `hang` accepts the request
 * and never answers.
 */
import { Effect } from "effect"
import * as http from "node:http"

export interface Received {
  readonly path: string
  readonly status: number | "hang"
  readonly body: Record<string, unknown>
}

export const receiver = (script: ReadonlyArray<number | "hang"> = [200]) =>
  Effect.acquireRelease(
    Effect.async<{ readonly url: string; readonly received: () => ReadonlyArray<Received>; readonly server: http.Server }>(
      (resume) => {
        const received: Array<Received> = []
        const server = http.createServer((request, response) => {
          let text = ""
          request.setEncoding("utf8").on("data", (chunk) => (text += chunk)).on("end", () => {
            const status = script[Math.min(received.length, script.length - 1)]!
            received.push({ path: request.url ?? "", status, body: JSON.parse(text) as Record<string, unknown> })
            if (status !== "hang") response.writeHead(status, { "content-type": "text/plain" }).end("ok")
          })
        })
        server.listen(0, "127.0.0.1", () => {
          const port = (server.address() as { port: number }).port
          resume(Effect.succeed({ url: `http://127.0.0.1:${port}`, received: () => received, server }))
        })
      }
    ),
    ({ server }) =>
      Effect.sync(() => {
        server.closeAllConnections()
        server.close()
      })
  )
