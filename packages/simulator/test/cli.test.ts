/**
 * The built command as a process: run `npx tsc -p tsconfig.lib.json` first (the test target depends on the
 * build).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type { spawn } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { launch } from "./process.js"
import { basic } from "./support.js"

const exitOn = (child: ReturnType<typeof spawn>, signal: NodeJS.Signals) =>
  Effect.async<number | null>((resume) => {
    child.on("exit", (code) => resume(Effect.succeed(code)))
    child.kill(signal)
  })

const json = (url: string, init?: RequestInit) =>
  Effect.promise(async () => {
    const response = await fetch(url, init)
    return { status: response.status, body: (await response.json()) as any }
  })

describe("code42-sim", () => {
  it.scopedLive("prints its address, serves with the given flags and exits cleanly on SIGINT", () =>
    Effect.gen(function*() {
      const { child, line } = yield* launch([
        "--port", "0",
        "--user", "alice:pw",
        "--api-client", "key-1:s3cret",
        "--generate", "25",
        "--random-seed", "4",
        "--latency-ms", "1",
        "--rate-limit", "500",
        "--fault-rate", "0",
        "--max-page-size", "10",
        "--total-count-offset", "-3",
        "--rename-on-deactivate",
        "--unique-names", "tenant",
        "--legacy-bodies",
        "--errors-in-data",
        "--errors-in-reason-phrase"
      ])
      const match = line.match(/^code42-sim listening on (http:\/\/127\.0\.0\.1:(\d+))$/)
      expect(match).not.toBeNull()
      const url = match![1]!
      expect(Number(match![2])).toBeGreaterThan(0)
      const signIn = yield* json(`${url}/api/v3/auth/jwt?useBody=true`, { headers: { authorization: basic("alice", "pw") } })
      const token: string = signIn.body.data.v3_user_token
      const list = yield* json(`${url}/api/v1/Org?pgSize=100`, { headers: { authorization: `Bearer ${token}` } })
      expect([list.body.data.totalCount, list.body.data.orgs.length]).toEqual([22, 10])
      const oauth = yield* json(`${url}/api/v3/oauth/token?grant_type=client_credentials`, {
        method: "POST",
        headers: { authorization: basic("key-1", "s3cret") }
      })
      expect(oauth.status).toBe(200)
      const faults = yield* json(`${url}/__sim/faults`)
      expect(faults.body).toMatchObject({
        latencyMs: 1,
        rateLimit: 500,
        faultRate: 0,
        maxPageSize: 10,
        totalCountOffset: -3
      })
      const rules = yield* json(`${url}/__sim/rules`)
      expect(rules.body).toEqual({
        renameOnDeactivate: true,
        uniqueNames: "tenant",
        legacyBodies: true,
        errorsInData: true,
        errorsInReasonPhrase: true
      })
      expect(yield* exitOn(child, "SIGINT")).toBe(0)
    }))

  it.scopedLive("serves a --seed file and exits cleanly on SIGTERM", () =>
    Effect.gen(function*() {
      const folder = mkdtempSync(join(tmpdir(), "code42-sim-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(folder, { recursive: true, force: true })))
      const seedFile = join(folder, "seed.json")
      writeFileSync(seedFile, JSON.stringify({ org: { orgName: "Seeded", children: [{ orgName: "Child org" }] } }))
      const { child, line } = yield* launch(["--port", "0", "--seed", seedFile])
      const url = line.replace("code42-sim listening on ", "")
      const orgs = yield* json(`${url}/__sim/orgs`)
      expect(orgs.body.map((org: { orgName: string }) => org.orgName)).toEqual(["Seeded", "Child org"])
      // The default account exists when no account is configured.
      const signIn = yield* json(`${url}/api/v3/auth/jwt`, { headers: { authorization: basic("admin", "secret") } })
      expect(signIn.status).toBe(200)
      expect(yield* exitOn(child, "SIGTERM")).toBe(0)
    }))

  it.scopedLive("fails with a message for a malformed flag", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.either(launch(["--port", "0", "--user", "no-colon"]))
      expect(exit._tag).toBe("Left")
      expect(exit._tag === "Left" && exit.left.message).toBe(
        "code42-sim exited with 1: code42-sim: --user expects name:secret, got \"no-colon\"\n"
      )
    }))
})
