/**
 * One chain for every setting: the flag, then the environment (then its earlier name), then the settings
 * file, then the default; a value that is not of its kind is refused, naming the setting and where it came from.
 */
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Duration, Effect, Either, Option } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as Settings from "../../src/Settings.js"

/** Three valid values of each setting (for its flag, its environment variable and the file) and what each reads as. */
const samples: { readonly [K in Settings.Key]: ReadonlyArray<readonly [text: string, file: unknown, read: unknown]> } = {
  url: [["https://a.example", "https://a.example", Option.some("https://a.example")], [
    "https://b.example",
    "https://b.example",
    Option.some("https://b.example")
  ], ["https://c.example", "https://c.example", Option.some("https://c.example")]],
  desired: [["a.yaml", "a.yaml", "a.yaml"], ["b.yaml", "b.yaml", "b.yaml"], ["c.yaml", "c.yaml", "c.yaml"]],
  state: [["a.db", "a.db", "a.db"], ["b.db", "b.db", "b.db"], ["c.db", "c.db", "c.db"]],
  api: [["v1", "v1", "v1"], ["gateway", "gateway", "gateway"], ["v3", "v3", "v3"]],
  rateLimit: [["5", 5, 5], ["7.5", 7.5, 7.5], ["50", 50, 50]],
  burst: [["2", 2, Option.some(2)], ["3", 3, Option.some(3)], ["4", 4, Option.some(4)]],
  concurrency: [["2", 2, 2], ["3", 3, 3], ["4", 4, 4]],
  maxRetryAfter: [["1s", "1s", Duration.seconds(1)], ["2m", "2m", Duration.minutes(2)], ["3h", "3h", Duration.hours(3)]],
  allowInsecureHttp: [["true", true, true], ["false", false, false], ["true", true, true]],
  interval: [["10s", "10s", Duration.seconds(10)], ["2m", "2m", Duration.minutes(2)], ["1h", "1h", Duration.hours(1)]],
  listen: [
    ["127.0.0.1:1", "127.0.0.1:1", { host: "127.0.0.1", port: 1 }],
    ["[::1]:2", "[::1]:2", { host: "::1", port: 2 }],
    ["0.0.0.0:3", "0.0.0.0:3", { host: "0.0.0.0", port: 3 }]
  ],
  logFormat: [["json", "json", "json"], ["logfmt", "logfmt", "logfmt"], ["json", "json", "json"]],
  force: [["true", true, true], ["false", false, false], ["true", true, true]],
  gitRepo: [
    ["git@a.example:acme/orgs.git", "git@a.example:acme/orgs.git", Option.some("git@a.example:acme/orgs.git")],
    ["https://b.example/orgs.git", "https://b.example/orgs.git", Option.some("https://b.example/orgs.git")],
    ["/srv/git/orgs.git", "/srv/git/orgs.git", Option.some("/srv/git/orgs.git")]
  ],
  gitBranch: [["production", "production", "production"], ["release/1.2", "release/1.2", "release/1.2"], ["v2", "v2", "v2"]],
  gitPath: [["orgs.yaml", "orgs.yaml", "orgs.yaml"], ["config/orgs", "config/orgs", "config/orgs"], ["teams", "teams", "teams"]],
  destructive: [["confirm", "confirm", "confirm"], ["never", "never", "never"], ["auto", "auto", "auto"]],
  drift: [["report", "report", "report"], ["heal", "heal", "heal"], ["report", "report", "report"]],
  notify: [
    ["https://a.example/1", ["https://a.example/1"], Option.some(["https://a.example/1"])],
    ["https://b.example/1,https://b.example/2", ["https://b.example/1", "https://b.example/2"], Option.some([
      "https://b.example/1",
      "https://b.example/2"
    ])],
    ["https://c.example/1", ["https://c.example/1"], Option.some(["https://c.example/1"])]
  ]
}

const keys = Object.keys(Settings.table) as ReadonlyArray<Settings.Key>

const settingsFile = (values: Record<string, unknown>) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "orgsync-settings-"))
  const file = path.join(dir, "orgsync.yaml")
  fs.writeFileSync(file, JSON.stringify(values))
  return file
}

/** `resolve` with these flags and this environment. */
const resolve = (flags: Settings.Flags, env: Record<string, string>) =>
  Settings.resolve(flags).pipe(
    Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))),
    Effect.provide(NodeContext.layer),
    Effect.either
  )

const flagOf = (key: Settings.Key, text: string): Settings.FlagValue =>
  Settings.table[key].value.file === "boolean" ? text === "true" : Option.some(text)

describe("settings chain", () => {
  it.effect("every setting: the flag, then the environment, then the file, then the default", () =>
    Effect.gen(function*() {
      for (const key of keys) {
        const setting = Settings.table[key]
        const [flag, env, file] = samples[key]
        const config = Option.some(settingsFile({ [setting.file]: file![1] }))
        const all = yield* resolve({ config, [key]: flagOf(key, flag![0]) }, { [setting.env]: env![0] })
        const noFlag = yield* resolve({ config }, { [setting.env]: env![0] })
        const fileOnly = yield* resolve({ config }, {})
        const none = yield* resolve({}, {})
        // A boolean flag can only say true; false is its absence.
        if (setting.value.file !== "boolean" || flag![0] === "true") {
          expect(Either.getOrThrow(all)[key], `${key} from --${setting.flag}`).toEqual(flag![2])
        }
        expect(Either.getOrThrow(noFlag)[key], `${key} from ${setting.env}`).toEqual(env![2])
        expect(Either.getOrThrow(fileOnly)[key], `${key} from the file`).toEqual(file![2])
        if (setting.default !== undefined) {
          const defaults = yield* resolve({ config: Option.some(settingsFile({})) }, {
            [setting.env]: setting.default
          })
          expect(Either.getOrThrow(none)[key], `${key} by default`).toEqual(Either.getOrThrow(defaults)[key])
        } else {
          expect(Either.getOrThrow(none)[key], `${key} unset`).toEqual(Option.none())
        }
      }
    }))

  it.effect("given names the settings a flag, the environment or the file set, even to their default value", () =>
    Effect.gen(function*() {
      const config = Option.some(settingsFile({ concurrency: 8, git: { branch: "main" } }))
      const settings = yield* resolve({ config, state: Option.some(".orgsync/state.db") }, {
        ORGSYNC_DESIRED: "config/orgs.yaml",
        CODE42_RATE_LIMIT: "20"
      })
      const given = Either.getOrThrow(settings).given
      expect([...given.keys()].sort()).toEqual(["concurrency", "desired", "gitBranch", "rateLimit", "state"])
      expect([given.get("state"), given.get("rateLimit"), given.get("concurrency")]).toEqual(
        ["--state", "CODE42_RATE_LIMIT", `settings file ${Option.getOrThrow(config)}: concurrency`]
      )
      expect([...Either.getOrThrow(yield* resolve({}, {})).given]).toEqual([])
    }))

  it.effect("the environment beats the file for api, rateLimit and concurrency, in the client's settings too", () =>
    Effect.gen(function*() {
      const config = Option.some(settingsFile({ api: "v1", rateLimit: 5, concurrency: 2, url: "https://file.example" }))
      const env = {
        ORGSYNC_API: "gateway",
        ORGSYNC_RATE_LIMIT: "50",
        ORGSYNC_CONCURRENCY: "4",
        CODE42_CLIENT_ID: "key-1",
        CODE42_CLIENT_SECRET: "s"
      }
      const client = yield* Settings.resolve({ config }).pipe(
        Effect.flatMap(Settings.clientConfig),
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))),
        Effect.provide(NodeContext.layer)
      )
      expect(client.url).toBe("https://file.example")
      expect(client.api).toBe("gateway")
      expect(client.rateLimit).toEqual({ requestsPerSecond: 50, burst: 50 })
      expect(client.concurrency).toBe(4)
    }))

  it.effect("an earlier environment name is still read, after the new one and before the file", () =>
    Effect.gen(function*() {
      const config = Option.some(settingsFile({ api: "v1", rateLimit: 5 }))
      const old = yield* resolve({ config }, { CODE42_API: "v3", CODE42_RATE_LIMIT: "9" })
      expect(Either.getOrThrow(old).api).toBe("v3")
      expect(Either.getOrThrow(old).rateLimit).toBe(9)
      const both = yield* resolve({ config }, { CODE42_API: "v3", ORGSYNC_API: "gateway" })
      expect(Either.getOrThrow(both).api).toBe("gateway")
    }))

  it.effect("a value of the wrong kind is refused, naming the setting and where it came from", () =>
    Effect.gen(function*() {
      const file = settingsFile({ api: "v2", rateLimit: "20" })
      const refused = (flags: Settings.Flags, env: Record<string, string>) =>
        Effect.map(resolve({ config: Option.some(file), ...flags }, env), (result) =>
          Either.match(result, { onLeft: (error) => error.message, onRight: () => "accepted" }))
      const fromFile = yield* refused({}, {})
      expect(fromFile).toContain(`settings file ${file}: api: expected v1, v3 or gateway, got v2`)
      expect(fromFile).toContain(`settings file ${file}: rateLimit: expected a number above 0, got "20"`)
      const refusedWithout = (flags: Settings.Flags, env: Record<string, string>) =>
        Effect.map(resolve(flags, env), Either.match({ onLeft: (error) => error.message, onRight: () => "accepted" }))
      const fromEnv = yield* refusedWithout({}, { ORGSYNC_CONCURRENCY: "1.5" })
      expect(fromEnv).toBe("ORGSYNC_CONCURRENCY: expected a whole number above 0, got 1.5")
      const fromFlag = yield* refusedWithout({ api: Option.some("v9") }, { ORGSYNC_API: "v1" })
      expect(fromFlag).toBe("--api: expected v1, v3 or gateway, got v9")
      const old = yield* refusedWithout({}, { CODE42_API: "v2" })
      expect(old).toBe("CODE42_API: expected v1, v3 or gateway, got v2")
    }))

  it.effect("an empty or blank value is said to be empty, not shown as nothing after \"got\"", () =>
    Effect.gen(function*() {
      const refused = (env: Record<string, string>) =>
        Effect.map(resolve({}, env), Either.match({ onLeft: (error) => error.message, onRight: () => "accepted" }))
      const client = Settings.resolve({}).pipe(
        Effect.flatMap(Settings.clientConfig),
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["CODE42_URL", ""]]))),
        Effect.provide(NodeContext.layer),
        Effect.flip
      )
      expect((yield* client).message).toBe(
        "CODE42_URL: expected an address starting with https:// (or http://), e.g. https://console.us.code42.com, got " +
          "an empty value"
      )
      expect(yield* refused({ ORGSYNC_RATE_LIMIT: "   " })).toBe(
        "ORGSYNC_RATE_LIMIT: expected a number above 0, got an empty value"
      )
    }))

  it.effect("an interval under 5s, an unknown key and a file that is not a mapping are refused", () =>
    Effect.gen(function*() {
      const message = (flags: Settings.Flags) =>
        Effect.map(resolve(flags, {}), Either.match({ onLeft: (error) => error.message, onRight: () => "accepted" }))
      expect(yield* message({ interval: Option.some("1s") })).toBe(
        "--interval: expected a duration of at least 5s (so that Code42 is not polled without pause), like 30s, 5m or 1h, got 1s"
      )
      const unknown = settingsFile({ rateLimits: 5 })
      expect(yield* message({ config: Option.some(unknown) })).toMatch(
        new RegExp(`^settings file ${unknown}: unknown setting rateLimits \\(known: url, desired, `)
      )
      const list = settingsFile([] as unknown as Record<string, unknown>)
      expect(yield* message({ config: Option.some(list) })).toBe(`settings file ${list}: expected a mapping of settings`)
    }))
})
