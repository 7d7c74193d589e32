/**
 * Secrets stay secret: every command (validate, plan in every format, apply, import, status and the daemon
 * with its endpoints) runs with known, unusual credentials, a local account's password and an API client's
 * secret, against the simulator through a tap that records the tokens it issues. Then every output, file,
 * endpoint and the state database are searched for the secrets, their Basic-auth forms and the tokens:
 * there must be no hit.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Schedule } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { type Exited, runOrgsync, spawnOrgsync } from "../support/orgsync-process.js"
import { proxy } from "../support/proxy.js"
import { start } from "../support/simulator.js"
import { tempDir } from "../support/temp-dir.js"

const username = "admin"
const password = "S3cr3t-Pa55-7f1c"
const clientId = "orgsync-ci-7d3a"
const clientSecret = "Cl13nt-S3cr3t-e29b-Vq8w"
const wrongPassword = "Wr0ng-Pa55-41aa"

const basic = (user: string, secret: string) => Buffer.from(`${user}:${secret}`).toString("base64")

type TokenKind = "user" | "client" | "header"

/** Every token that passes the proxy: in a sign-in answer (by who signed in) or in an `Authorization` header. */
const tokenTap = (target: string) =>
  Effect.gen(function*() {
    const tokens = new Map<string, TokenKind>()
    const url = yield* proxy(target, {
      observe: (request, answer) => {
        const bearer = /^(?:bearer|v3_user_token)\s+(\S+)$/i.exec(request.headers.authorization ?? "")
        if (bearer !== null && !tokens.has(bearer[1]!)) tokens.set(bearer[1]!, "header")
        if (!/auth\/jwt|oauth\/token/i.test(request.url) || answer.status !== 200) return
        const json = JSON.parse(answer.body) as { data?: { v3_user_token?: string }; access_token?: string }
        if (json.data?.v3_user_token !== undefined) tokens.set(json.data.v3_user_token, "user")
        if (json.access_token !== undefined) tokens.set(json.access_token, "client")
      }
    })
    return { url, tokens }
  })

/** Every file under `dir`, with its bytes. */
const filesUnder = (dir: string): ReadonlyArray<readonly [string, Buffer]> =>
  fs.readdirSync(dir, { recursive: true, withFileTypes: true }).flatMap((entry) => {
    const file = path.join(entry.parentPath, entry.name)
    return entry.isFile() ? [[file, fs.readFileSync(file)] as const] : []
  })

describe("secrets", () => {
  it.scopedLive("no output, file, endpoint or state database holds a password, a secret or a token", () =>
    Effect.gen(function*() {
      const sim = yield* start({ users: [{ username, password }], apiClients: [{ clientId, secret: clientSecret }] })
      const tap = yield* tokenTap(sim.url)
      const dir = yield* tempDir("orgsync-secrets-")
      const desired = path.join(dir, "orgs.yaml")
      // Support is new, so plan and apply have something to do.
      fs.writeFileSync(desired, "orgs:\n  - name: Engineering\n  - name: Support\n")
      // Outside `dir`, whose every file is searched below.
      const passwordFile = path.join(yield* tempDir("orgsync-secrets-password-"), "password")
      fs.writeFileSync(passwordFile, `${password}\n`)

      const account = { CODE42_USERNAME: username, CODE42_PASSWORD: password }
      const client = { CODE42_CLIENT_ID: clientId, CODE42_CLIENT_SECRET: clientSecret }
      const outputs: Array<readonly [string, string]> = []
      const orgsync = (args: ReadonlyArray<string>, env: Record<string, string>) =>
        runOrgsync(args, env, { deadlineMillis: 60_000, cwd: dir }).pipe(
          Effect.tap((run) => Effect.sync(() => outputs.push([`orgsync ${args.join(" ")}`, run.stdout + run.stderr])))
        )
      const imports = (state: string) => ["import", "--url", tap.url, "--state", path.join(dir, state)]
      const connection = ["--desired", desired, "--url", tap.url]
      const connected = (state: string) => [...connection, "--state", path.join(dir, state)]

      /** `orgsync run` until its first pass converges, with every endpoint read on the way; then SIGTERM. */
      const daemon = (env: Record<string, string>, state: string, logFormat: "logfmt" | "json") =>
        Effect.scoped(Effect.gen(function*() {
          const child = yield* spawnOrgsync(
            ["run", ...connected(state), "--listen", "127.0.0.1:0", "--interval", "5s", "--log-format", logFormat],
            env,
            { deadlineMillis: 60_000 }
          )
          const address = (yield* child.waitFor(/status page on (http:\/\/[^\s"\\]+?)\/?["\\]/))[1]!
          const get = (route: string) => Effect.promise(() => fetch(`${address}${route}`).then((r) => r.text()))
          yield* get("/api/status").pipe(
            Effect.filterOrFail((text) => (JSON.parse(text) as { inSync: boolean }).inSync),
            Effect.retry(Schedule.spaced("200 millis").pipe(Schedule.upTo("30 seconds")))
          )
          for (const route of ["/", "/api/status", "/metrics", "/healthz", "/readyz"]) {
            outputs.push([`GET ${route} (${logFormat})`, yield* get(route)])
          }
          child.kill("SIGTERM")
          const exit: Exited = yield* child.exited
          outputs.push([`orgsync run (${logFormat})`, exit.stdout + exit.stderr])
          return exit
        }))

      // A local account.
      expect((yield* orgsync(["validate", "--desired", desired], account)).code).toBe(0)
      // Plans before the first apply: no state database yet (none at the default path of `dir`).
      for (const format of ["text", "markdown", "json"]) {
        expect((yield* orgsync(["plan", ...connection, "--format", format], account)).code).toBe(2)
      }
      const planFile = path.join(dir, "plan.json")
      yield* orgsync(["plan", ...connection, "--format", "json", "--out", planFile], account)
      expect((yield* orgsync(["apply", ...connected("account.db"), "--plan", planFile], account)).code).toBe(0)
      fs.appendFileSync(desired, "  - name: Finance\n")
      expect((yield* orgsync(["apply", ...connected("account.db"), "--yes"], account)).code).toBe(0)
      const fromFile = { CODE42_USERNAME: username, CODE42_PASSWORD_FILE: passwordFile }
      expect((yield* orgsync(imports("account.db"), fromFile)).code).toBe(0)
      const imported = path.join(dir, "imported.yaml")
      yield* orgsync([...imports("account.db"), "--out", imported], fromFile)
      const status = yield* orgsync(["status", "--desired", desired, "--state", path.join(dir, "account.db")], account)
      expect(status.code).toBe(0)
      expect((yield* daemon(account, "account.db", "logfmt")).code).toBe(0)

      // An API client.
      fs.appendFileSync(desired, "  - name: Legal\n")
      expect((yield* orgsync(["plan", ...connection, "--format", "json"], client)).code).toBe(2)
      expect((yield* orgsync(["apply", ...connected("client.db"), "--yes"], client)).code).toBe(0)
      expect((yield* orgsync(imports("client.db"), client)).code).toBe(0)
      expect((yield* daemon(client, "client.db", "json")).code).toBe(0)

      // Refused credentials: the error says so without repeating what was given.
      const wrongAccount = { ...account, CODE42_PASSWORD: wrongPassword }
      const refused = yield* orgsync(["plan", ...connected("account.db")], wrongAccount)
      expect(refused.code).toBe(1)
      expect(refused.stderr).toContain("orgsync:")
      const wrongClient = { ...client, CODE42_CLIENT_SECRET: wrongPassword }
      expect((yield* orgsync(["plan", ...connected("client.db")], wrongClient)).code).toBe(1)

      const tokens = [...tap.tokens.keys()]
      // Both kinds of sign-in went through the tap, so the search below has both kinds of token to look for.
      expect(new Set(tap.tokens.values())).toEqual(new Set(["user", "client"]))
      const secrets: ReadonlyArray<readonly [string, string]> = [
        ["the password", password],
        ["the wrong password", wrongPassword],
        ["the client secret", clientSecret],
        ["the account's Basic credentials", basic(username, password)],
        ["the wrong Basic credentials", basic(username, wrongPassword)],
        ["the client's Basic credentials", basic(clientId, clientSecret)],
        ...tokens.flatMap((token, i) =>
          [[`token ${i}`, token], [`token ${i}'s signature`, token.split(".").at(-1)!]] as const
        )
      ]
      const artifacts: ReadonlyArray<readonly [string, Buffer]> = [
        ...outputs.map(([name, text]) => [name, Buffer.from(text)] as const),
        ...filesUnder(dir)
      ]
      const hits = (bytes: Buffer) => secrets.filter(([, secret]) => bytes.includes(secret)).map(([name]) => name)
      // The search finds a secret where there is one.
      expect(hits(fs.readFileSync(passwordFile))).toEqual(["the password"])
      expect(artifacts.map(([name]) => name)).toEqual(expect.arrayContaining([
        path.join(dir, "account.db"),
        path.join(dir, "client.db"),
        planFile,
        imported,
        "GET /metrics (logfmt)",
        "GET / (json)"
      ]))
      expect(artifacts.flatMap(([name, bytes]) => hits(bytes).map((secret) => `${name}: ${secret}`))).toEqual([])
    }), 180_000)
})
