/**
 * The client settings a one-shot command passes on: `maxRetryAfter` (flag, environment, settings file), and
 * retries that a person can see, on stderr, while stdout holds only the plan.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import { createServer } from "node:http"
import * as path from "node:path"
import { credentials, orgsync, workspace } from "../support/cli.js"

/** A server that answers every request with `status`, `headers` and `body`. */
const answering = (status: number, headers: Record<string, string>, body: string) =>
  Effect.acquireRelease(
    Effect.async<{ url: string; close: () => void }>((resume) => {
      const server = createServer((_, response) => {
        response.writeHead(status, headers)
        response.end(body)
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as { port: number }
        resume(Effect.succeed({ url: `http://127.0.0.1:${port}`, close: () => server.close() }))
      })
    }),
    (server) => Effect.sync(() => server.close())
  )

/** A server that answers every request with a 429 asking to wait `seconds`. */
const rateLimited = (seconds: number) =>
  answering(429, { "retry-after": String(seconds), "content-type": "application/json" }, "[]")

const desiredYaml = "orgs:\n  - name: Engineering\n"

describe.concurrent("client settings", () => {
  it.scoped("maxRetryAfter from the flag, the environment and the settings file", () =>
    Effect.gen(function*() {
      const server = yield* rateLimited(5)
      const ws = workspace(desiredYaml)
      const common = ["plan", "--desired", ws.desired, "--url", server.url]
      const config = path.join(ws.dir, "orgsync.yaml")
      fs.writeFileSync(config, "maxRetryAfter: 2s\n")
      const runs = [
        yield* orgsync([...common, "--max-retry-after", "2s"], {}, credentials, ws.dir),
        yield* orgsync(common, { ORGSYNC_MAX_RETRY_AFTER: "2s" }, credentials, ws.dir),
        yield* orgsync([...common, "--config", config], {}, credentials, ws.dir)
      ]
      for (const run of runs) {
        expect(run.code).toBe(1)
        expect(run.stderr).toContain("the server asked to wait 5 s (over maxRetryAfter 2 s)")
      }
    }), 120_000)

  it.scoped("a Retry-After of 999999 s fails at once under the default of 60 s", () =>
    Effect.gen(function*() {
      const server = yield* rateLimited(999_999)
      const ws = workspace(desiredYaml)
      const run = yield* orgsync(["plan", "--desired", ws.desired, "--url", server.url], {}, credentials, ws.dir)
      expect(run.code).toBe(1)
      expect(run.stderr).toContain("the server asked to wait 999999 s (over maxRetryAfter 60 s)")
    }), 120_000)

  it.scoped("retries are logged at info level on stderr, and stdout stays empty", () =>
    Effect.gen(function*() {
      const ws = workspace(desiredYaml)
      const run = yield* orgsync(
        ["plan", "--desired", ws.desired, "--url", "http://127.0.0.1:9", "--format", "json"],
        {},
        credentials,
        ws.dir
      )
      expect(run.code).toBe(1)
      expect(run.stdout).toBe("")
      expect(run.stderr).toMatch(/level=INFO .*retrying signIn/)
    }), 120_000)

  it.scoped("a 404 at sign-in says that the URL is probably wrong", () =>
    Effect.gen(function*() {
      const server = yield* answering(404, { "content-type": "text/html" }, "<html>Not Found</html>")
      const ws = workspace(desiredYaml)
      const run = yield* orgsync(["plan", "--desired", ws.desired, "--url", server.url], {}, credentials, ws.dir)
      expect(run.code).toBe(1)
      expect(run.stderr.trim().split("\n")).toHaveLength(1)
      expect(run.stderr).toContain("the URL is probably wrong")
    }), 120_000)
})
