/** The tenant address rules, the defaults, and reading the configuration from the environment. */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import * as HttpClient from "@effect/platform/HttpClient"
import { ConfigProvider, Context, Duration, Effect, Either, Layer, Redacted } from "effect"
import * as ClientConfig from "../src/ClientConfig.js"
import * as OrgClient from "../src/OrgClient.js"

const href = (url: string, allowInsecureHttp?: boolean) =>
  Either.map(ClientConfig.baseUrl(url, allowInsecureHttp), (parsed) => parsed.href)

describe("baseUrl", () => {
  it("means https without a scheme and drops trailing slashes", () => {
    expect(href("console.us.code42.com")).toEqual(Either.right("https://console.us.code42.com/"))
    expect(href("console.us.code42.com:8443/tenant/")).toEqual(
      Either.right("https://console.us.code42.com:8443/tenant")
    )
  })

  it("refuses a user name or password (never repeating it), a query and a fragment", () => {
    const refused = (url: string) => String(ClientConfig.baseUrl(url).pipe(Either.flip, Either.getOrThrow))
    const credentials = refused("https://admin:hunter2@console.us.code42.com")
    expect(credentials).toContain("\"https://console.us.code42.com\" carries a user name or password")
    expect(credentials).not.toContain("hunter2")
    for (const url of ["https://console.us.code42.com/?x=1", "https://console.us.code42.com/#y", "https://c.example/?"]) {
      expect(refused(url)).toContain("carries a query or a fragment")
    }
  })

  it("allows plain http to loopback only", () => {
    const loopback = ["http://127.0.0.1:4285", "http://127.8.9.10", "http://localhost:4285", "http://localhost.:4285", "http://[::1]:4285"]
    for (const url of loopback) {
      expect(Either.isRight(href(url))).toBe(true)
    }
    const remote = ["http://code42.example.com", "http://10.0.0.1", "http://128.0.0.1", "http://localhost.example.com"]
    for (const url of remote) {
      const error = ClientConfig.baseUrl(url).pipe(Either.flip, Either.getOrThrow)
      expect(String(error)).toContain("plain http")
      expect(Either.isRight(href(url, true))).toBe(true)
    }
  })

  it("refuses other schemes and malformed addresses", () => {
    expect(Either.isLeft(href("ftp://code42.example.com"))).toBe(true)
    expect(Either.isLeft(href("https://"))).toBe(true)
  })
})

/** Building a client sends nothing. */
const http = Layer.succeed(HttpClient.HttpClient, HttpClient.make(() => Effect.die("no request expected")))

describe("resolve", () => {
  const auth: ClientConfig.Auth = { _tag: "ApiClient", clientId: "key", secret: Redacted.make("s") }

  it("applies the defaults", () => {
    const resolved = Either.getOrThrow(ClientConfig.resolve({ url: "code42.example.com", auth }))
    expect(resolved).toMatchObject({
      api: "v3",
      rateLimit: { requestsPerSecond: 20, burst: 20 },
      concurrency: 8,
      retry: { times: 5 }
    })
    expect(Duration.toSeconds(resolved.timeout)).toBe(30)
  })

  it("refuses values that cannot work", () => {
    for (
      const bad of <ReadonlyArray<Partial<ClientConfig.ClientConfig>>> [
        { rateLimit: { requestsPerSecond: 0, burst: 1 } },
        { rateLimit: { requestsPerSecond: 5, burst: 1.5 } },
        { concurrency: 0 },
        { retry: { times: -1, base: "1 second", cap: "1 second" } }
      ]
    ) {
      expect(Either.isLeft(ClientConfig.resolve({ url: "code42.example.com", auth, ...bad }))).toBe(true)
    }
  })

  it.scoped("OrgClient.layer fails at build time for http to a remote host", () =>
    Effect.gen(function*() {
      const error = yield* Layer.build(OrgClient.layer({ url: "http://code42.example.com", auth })).pipe(
        Effect.provide(http),
        Effect.flip
      )
      expect(String(error)).toContain("http://code42.example.com")
    }))
})

describe("fromEnv", () => {
  const load = (env: Record<string, string>) =>
    ClientConfig.fromEnv.pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))))

  it.effect("reads a local account, with a static two-factor code", () =>
    Effect.gen(function*() {
      const config = yield* load({
        CODE42_URL: "console.us.code42.com",
        CODE42_USERNAME: "admin@example.com",
        CODE42_PASSWORD: "pw",
        CODE42_TOTP: "123456",
        CODE42_API: "v1",
        CODE42_RATE_LIMIT: "5",
        CODE42_CONCURRENCY: "3"
      })
      expect(config).toMatchObject({
        url: "console.us.code42.com",
        api: "v1",
        rateLimit: { requestsPerSecond: 5, burst: 5 },
        concurrency: 3,
        auth: { _tag: "LocalAccount", username: "admin@example.com" }
      })
      if (config.auth._tag !== "LocalAccount" || config.auth.totp === undefined) throw new Error("no local account")
      expect(Redacted.value(config.auth.password)).toBe("pw")
      expect(Redacted.value(yield* config.auth.totp)).toBe("123456")
    }))

  it.effect("reads the password from a file, trimmed", () =>
    Effect.gen(function*() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "c42-config-"))
      const file = path.join(dir, "password")
      fs.writeFileSync(file, "  from-file\n")
      const config = yield* load({ CODE42_URL: "x.example.com", CODE42_USERNAME: "a", CODE42_PASSWORD_FILE: file })
      fs.rmSync(dir, { recursive: true })
      if (config.auth._tag !== "LocalAccount") throw new Error("no local account")
      expect(Redacted.value(config.auth.password)).toBe("from-file")
      expect(config.auth.totp).toBeUndefined()
      const missing = yield* Effect.flip(
        load({ CODE42_URL: "x.example.com", CODE42_USERNAME: "a", CODE42_PASSWORD_FILE: file })
      )
      expect(String(missing)).toContain(file)
    }))

  it.effect("reads the client secret from a file, trimmed, and names the file it cannot read", () =>
    Effect.gen(function*() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "c42-config-"))
      const file = path.join(dir, "client-secret")
      fs.writeFileSync(file, "secret-from-file\n")
      const env = { CODE42_URL: "x.example.com", CODE42_CLIENT_ID: "key", CODE42_CLIENT_SECRET_FILE: file }
      const config = yield* load(env)
      if (config.auth._tag !== "ApiClient") throw new Error("no API client")
      expect(config.auth.clientId).toBe("key")
      expect(Redacted.value(config.auth.secret)).toBe("secret-from-file")
      const both = String(yield* Effect.flip(load({ ...env, CODE42_CLIENT_SECRET: "s" })))
      expect(both).toContain("set only one")
      expect(both).not.toContain("secret-from-file")
      fs.rmSync(dir, { recursive: true })
      const missing = String(yield* Effect.flip(load(env)))
      expect(missing).toContain("CODE42_CLIENT_SECRET_FILE")
      expect(missing).toContain(file)
    }))

  it.effect("reads an API client", () =>
    Effect.gen(function*() {
      const config = yield* load({ CODE42_URL: "x.example.com", CODE42_CLIENT_ID: "key", CODE42_CLIENT_SECRET: "s" })
      expect(config.auth).toMatchObject({ _tag: "ApiClient", clientId: "key" })
      expect(config.api).toBeUndefined()
      expect(config.rateLimit).toBeUndefined()
    }))

  it.effect("names the variables when credentials are missing, incomplete or ambiguous", () =>
    Effect.gen(function*() {
      const none = String(yield* Effect.flip(load({ CODE42_URL: "x.example.com" })))
      const names = [
        "CODE42_USERNAME",
        "CODE42_PASSWORD",
        "CODE42_PASSWORD_FILE",
        "CODE42_CLIENT_ID",
        "CODE42_CLIENT_SECRET"
      ]
      for (const name of names) expect(none).toContain(name)
      expect(String(yield* Effect.flip(load({ CODE42_URL: "x", CODE42_CLIENT_ID: "key" })))).toContain(
        "CODE42_CLIENT_SECRET"
      )
      expect(String(yield* Effect.flip(load({ CODE42_URL: "x", CODE42_USERNAME: "a" })))).toContain("CODE42_PASSWORD")
      expect(
        String(yield* Effect.flip(load({ CODE42_URL: "x", CODE42_PASSWORD: "pw", CODE42_CLIENT_SECRET: "s" })))
      ).toContain("set only one")
      const secretShown = String(
        yield* Effect.flip(
          load({ CODE42_URL: "x", CODE42_USERNAME: "a", CODE42_PASSWORD: "pw-123", CODE42_CLIENT_ID: "k" })
        )
      )
      expect(secretShown).not.toContain("pw-123")
    }))

  it.effect("names a malformed setting", () =>
    Effect.gen(function*() {
      const creds = { CODE42_USERNAME: "a", CODE42_PASSWORD: "pw" }
      expect(String(yield* Effect.flip(load({ ...creds, CODE42_URL: "https://" })))).toContain("CODE42_URL")
      expect(String(yield* Effect.flip(load({ ...creds, CODE42_URL: "x", CODE42_API: "v2" })))).toContain("CODE42_API")
      expect(String(yield* Effect.flip(load({ ...creds, CODE42_URL: "x", CODE42_BURST: "0" })))).toContain(
        "CODE42_BURST"
      )
      expect(String(yield* Effect.flip(load({ ...creds, CODE42_URL: "x", CODE42_RATE_LIMIT: "-1" })))).toContain(
        "CODE42_RATE_LIMIT"
      )
    }))

  it.scoped("OrgClient.layerConfig builds the client from the environment, with the http rule", () =>
    Effect.gen(function*() {
      const build = (env: Record<string, string>) =>
        Layer.build(OrgClient.layerConfig).pipe(
          Effect.provide(http),
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))
        )
      const creds = { CODE42_USERNAME: "a", CODE42_PASSWORD: "pw" }
      expect(String(yield* Effect.flip(build({ ...creds, CODE42_URL: "http://code42.example.com" })))).toContain(
        "plain http"
      )
      const context = yield* build({ ...creds, CODE42_URL: "http://127.0.0.1:4285" })
      expect(Context.get(context, OrgClient.OrgClient).getCurrent).toBeTypeOf("function")
    }))
})
