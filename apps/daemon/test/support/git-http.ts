/**
 * A git server over HTTP on loopback, as a forge serves a private repository: `git http-backend` behind Basic
 * authentication with one account. Closed when the scope closes.
 */
import { Effect } from "effect"
import { spawn } from "node:child_process"
import * as http from "node:http"
import * as path from "node:path"

export interface GitHttp {
  /** The repository's URL, without credentials. */
  readonly url: string
  /** Requests answered 401 for want of the right credentials. */
  readonly refused: () => number
}

/** Serves the bare repository `bare` at `http://127.0.0.1:PORT/<its name>` to `user:password` only. */
export const gitHttp = (bare: string, user: string, password: string) =>
  Effect.acquireRelease(
    Effect.async<{ server: http.Server; served: GitHttp }>((resume) => {
      let refused = 0
      const expected = `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`
      const server = http.createServer((request, response) => {
        if (request.headers.authorization !== expected) {
          refused++
          response.writeHead(401, { "www-authenticate": "Basic realm=\"orgs\"" }).end()
          return
        }
        const url = new URL(request.url ?? "/", "http://127.0.0.1")
        const cgi = spawn("git", ["http-backend"], {
          env: {
            ...process.env,
            GIT_PROJECT_ROOT: path.dirname(bare),
            GIT_HTTP_EXPORT_ALL: "1",
            PATH_INFO: decodeURIComponent(url.pathname),
            QUERY_STRING: url.search.slice(1),
            REQUEST_METHOD: request.method ?? "GET",
            CONTENT_TYPE: request.headers["content-type"] ?? "",
            REMOTE_USER: user,
            REMOTE_ADDR: "127.0.0.1"
          }
        })
        request.pipe(cgi.stdin)
        const chunks: Array<Buffer> = []
        cgi.stdout.on("data", (chunk: Buffer) => chunks.push(chunk))
        cgi.on("close", () => {
          // A CGI answer: header lines, a blank line, the body.
          const output = Buffer.concat(chunks)
          const end = output.indexOf("\r\n\r\n")
          const headers = output.subarray(0, end).toString("latin1").split("\r\n")
          const fields = Object.fromEntries(headers.map((line) => {
            const colon = line.indexOf(":")
            return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()]
          }))
          const { status = "200", ...rest } = fields
          response.writeHead(Number.parseInt(status, 10), rest).end(output.subarray(end + 4))
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const port = (server.address() as { port: number }).port
        resume(Effect.succeed({
          server,
          served: { url: `http://127.0.0.1:${port}/${path.basename(bare)}`, refused: () => refused }
        }))
      })
    }),
    ({ server }) => Effect.promise(() => new Promise<void>((resolve) => server.close(() => resolve())))
  ).pipe(Effect.map(({ served }) => served))
