/**
 * Settings: where orgsync finds Code42, the desired files and the state database, and how it runs. Every
 * setting is one entry of `table`, with a flag, an environment variable and a key of the settings file, read
 * through one chain of configuration providers: the flags, then the environment, then the settings file
 * (`--config`), then the defaults. Credentials come from the environment only (see `@c42/core`'s
 * `ClientConfig.fromEnv`).
 */
import { Options } from "@effect/cli"
import { ClientConfig } from "@c42/core"
import { Config, ConfigError, ConfigProvider, Console, Data, Effect, Option } from "effect"
import * as Yaml from "yaml"
import type { GitSettings } from "./GitSource.js"
import * as InputFile from "./InputFile.js"
import type * as Value from "./internal/settingValue.js"
import { type Key, type Setting, type Settings, table, type Values } from "./SettingsTable.js"

export { type Key, MinInterval, type Setting, type Settings, table } from "./SettingsTable.js"

/** The git branch the daemon follows instead of `desired`: set when `git.repo` is. */
export const git = (settings: Settings): GitSettings | undefined =>
  Option.match(settings.gitRepo, {
    onNone: () => undefined,
    onSome: (repo) => ({ repo, branch: settings.gitBranch, path: settings.gitPath })
  })

/** The settings file: `--config`, else ORGSYNC_CONFIG; none by default. */
export const configFile = {
  flag: "config",
  env: "ORGSYNC_CONFIG",
  description: "The settings file (YAML), e.g. config/orgsync.yaml"
} as const

/** What a command line gives for a setting: text, whether a boolean flag was given, or a list's items. */
export type FlagValue = Option.Option<string> | boolean | ReadonlyArray<string>

/** What the command line gave: `--config` and the flags of some settings. */
export type Flags = { readonly config?: Option.Option<string> } & { readonly [K in Key]?: FlagValue }

export class SettingsError extends Data.TaggedError("SettingsError")<{ readonly message: string }> {}

const entries = Object.entries(table) as ReadonlyArray<[Key, Setting<unknown>]>

const describe = (setting: Setting<unknown>) => {
  const fallback = setting.default ?? setting.unset
  return `${setting.description} (${setting.env}${fallback === undefined ? "" : `; default ${fallback}`})`
}

/** The flags of these settings, for a command. */
export const options = <K extends Key>(...keys: ReadonlyArray<K>): { readonly [P in K]: Options.Options<FlagValue> } =>
  Object.fromEntries(keys.map((key) => {
    const setting: Setting<unknown> = table[key]
    const flag: Options.Options<FlagValue> = setting.value.file === "boolean"
      ? Options.boolean(setting.flag)
      : setting.value.file === "list"
      ? Options.text(setting.flag).pipe(Options.withPseudoName(setting.placeholder), Options.repeated)
      : Options.text(setting.flag).pipe(Options.withPseudoName(setting.placeholder), Options.optional)
    return [key, Options.withDescription(flag, describe(setting))]
  })) as { readonly [P in K]: Options.Options<FlagValue> }

/** The environment variables a command with these settings reads. */
export const environment = (...keys: ReadonlyArray<Key>): ReadonlyArray<string> => [
  configFile.env,
  ...keys.map((key) => table[key].env)
]

/** The credentials, read from the environment only. */
export const credentials: ReadonlyArray<string> = [
  "CODE42_USERNAME",
  "CODE42_PASSWORD[_FILE]",
  "CODE42_CLIENT_ID",
  "CODE42_CLIENT_SECRET[_FILE]",
  "CODE42_TOTP_SECRET",
  "CODE42_TOTP"
]

export const configOption = Options.text(configFile.flag).pipe(
  Options.withPseudoName("FILE"),
  Options.withDescription(`${configFile.description} (${configFile.env})`),
  Options.optional
)

const flagText = (value: FlagValue | undefined): string | undefined =>
  value === undefined || value === false
    ? undefined
    : value === true
    ? "true"
    : Option.isOption(value)
    ? Option.getOrUndefined(value)
    : value.length === 0
    ? undefined
    : value.join(",")

const fileLabel = (path: string) => `settings file ${path}`

const yamlType = (value: unknown): Value.FileType | "mapping" | "null" =>
  value === null
    ? "null"
    : Array.isArray(value)
    ? "list"
    : typeof value === "object"
    ? "mapping"
    : typeof value as Value.FileType

/**
 * Reads the settings file: a YAML mapping of the file keys of `table`, each of its setting's YAML type. What
 * does not fit is left out of the values and named in the errors.
 */
const readFile = (path: string) =>
  Effect.gen(function*() {
    const label = fileLabel(path)
    const text = yield* InputFile.readText(path, 1024 * 1024).pipe(
      Effect.mapError((error) => new SettingsError({ message: `${label}: cannot be read: ${error.reason}` }))
    )
    const parsed: unknown = yield* Effect.try({
      try: () => Yaml.parse(text),
      catch: (e) => new SettingsError({ message: `${label}: ${(e as Error).message}` })
    })
    const values: Record<string, unknown> = {}
    const walk = (mapping: unknown, prefix: string): ReadonlyArray<string> => {
      if (yamlType(mapping) !== "mapping") {
        return [`${label}${prefix === "" ? "" : `: ${prefix.slice(0, -1)}`}: expected a mapping of settings`]
      }
      return Object.entries(mapping as object).flatMap(([key, value]): ReadonlyArray<string> => {
        const name = `${prefix}${key}`
        const setting = entries.find(([, s]) => s.file === name)?.[1]
        if (setting === undefined) {
          return entries.some(([, s]) => s.file.startsWith(`${name}.`))
            ? walk(value, `${name}.`)
            : [`${label}: unknown setting ${name} (known: ${entries.map(([, s]) => s.file).join(", ")})`]
        }
        if (value === null) return []
        const type = yamlType(value)
        const fits = (type === setting.value.file || (setting.value.file === "list" && type === "string")) &&
          !(type === "list" && (value as ReadonlyArray<unknown>).some((item) => typeof item !== "string"))
        if (!fits) {
          return [`${label}: ${name}: expected ${setting.value.expected}, got ${JSON.stringify(value)}`]
        }
        // A list is read as its items comma-separated, as from a flag or the environment, so that it takes its
        // place in the one chain (the provider's own sequences would merge the sources' items).
        values[setting.env] = Array.isArray(value) ? value.join(",") : value
        return []
      })
    }
    const errors = parsed === null || parsed === undefined ? [] : walk(parsed, "")
    return { values, errors }
  })

const fromValues = (values: ReadonlyMap<string, string>) => ConfigProvider.fromMap(new Map(values))

/** Reads every setting: the flags, then the environment (with the earlier names), then the file, then defaults. */
export const resolve = (flags: Flags) =>
  Effect.gen(function*() {
    const env = yield* Effect.configProviderWith(Effect.succeed)
    const read = (provider: ConfigProvider.ConfigProvider, name: string) =>
      Effect.withConfigProvider(Effect.option(Config.string(name)), provider).pipe(Effect.map(Option.getOrUndefined))
    const given = new Map<string, string>()
    for (const [key, setting] of entries) {
      const text = flagText(flags[key])
      if (text !== undefined) given.set(setting.env, text)
    }
    const path = Option.getOrUndefined(flags.config ?? Option.none()) ?? (yield* read(env, configFile.env))
    const file = path === undefined ? { values: {}, errors: [] } : yield* readFile(path)
    const renamed = new Map(entries.flatMap(([, s]) => (s.was === undefined ? [] : [[s.env, s.was] as const])))
    for (const [name, was] of renamed) {
      if ((yield* read(env, was)) !== undefined) {
        yield* Console.error(`orgsync: ${was} is deprecated: set ${name} instead (${was} is read until the next version)`)
      }
    }
    const sources: ReadonlyArray<{ readonly provider: ConfigProvider.ConfigProvider; readonly where: (s: Setting<unknown>) => string }> = [
      { provider: fromValues(given), where: (s) => `--${s.flag}` },
      { provider: env, where: (s) => s.env },
      {
        provider: env.pipe(ConfigProvider.mapInputPath((name) => renamed.get(name) ?? name)),
        where: (s) => s.was ?? s.env
      },
      { provider: ConfigProvider.fromJson(file.values), where: (s) => `${fileLabel(path ?? "")}: ${s.file}` },
      {
        provider: fromValues(new Map(entries.flatMap(([, s]) => s.default === undefined ? [] : [[s.env, s.default] as const]))),
        where: (s) => `the default of ${s.file}`
      }
    ]
    const chain = sources.slice(1).reduce(
      (provider, next) => ConfigProvider.orElse(provider, () => next.provider),
      sources[0]!.provider
    )
    const all = Config.all(Object.fromEntries(entries.map(([key, setting]) => [key, setting.read]))) as Config.Config<Values>
    const loaded = yield* Effect.either(Effect.withConfigProvider(all, chain))
    if (loaded._tag === "Right" && file.errors.length === 0) {
      // The settings some source before the defaults holds: a state path given is one that must exist to be read.
      const given = new Map<Key, string>()
      for (const [key, setting] of entries) {
        for (const source of sources.slice(0, -1)) {
          if ((yield* read(source.provider, setting.env)) === undefined) continue
          given.set(key, source.where(setting))
          break
        }
      }
      return { ...loaded.right, given, file: path } satisfies Settings
    }
    // Each refusal names where the value came from: the first source in the chain that holds it.
    const messages: Array<string> = [...file.errors]
    for (const failure of loaded._tag === "Left" ? leaves(loaded.left) : []) {
      const setting = entries.find(([, s]) => s.env === failure.path[0])?.[1]
      if (setting === undefined) {
        messages.push(failure.message)
        continue
      }
      for (const source of sources) {
        const raw = yield* read(source.provider, setting.env)
        if (raw !== undefined) {
          messages.push(`${source.where(setting)}: ${failure.message}, got ${raw.trim() === "" ? "an empty value" : raw}`)
          break
        }
      }
    }
    return yield* new SettingsError({ message: [...new Set(messages)].join("\n") })
  })

const leaves = (error: ConfigError.ConfigError): ReadonlyArray<{ readonly path: ReadonlyArray<string>; readonly message: string }> =>
  error._op === "And" || error._op === "Or"
    ? [...leaves(error.left), ...leaves(error.right)]
    : error._op === "InvalidData" || error._op === "MissingData" || error._op === "SourceUnavailable" ||
        error._op === "Unsupported"
    ? [{ path: error.path, message: error.message }]
    : []

const expectedAddress = "an address starting with https:// (or http://), e.g. https://console.us.code42.com"

/**
 * The Code42 URL, checked by the commands that reach Code42 only (validate and status never use it): an http or
 * https address with a host (a bare word is refused here, not looked up as a host), without credentials, query
 * or fragment, and with plain http to loopback only unless allowed. Each refusal names `where` it came from;
 * a user name or password in it is never repeated.
 */
const checkUrl = (text: string, where: string, allowInsecureHttp: boolean) => {
  const url = text.trim()
  const refuse = (message: string) => new SettingsError({ message: `${where}: ${message}` })
  const parsed = /^https?:\/\//i.test(url) && URL.canParse(url) ? new URL(url) : undefined
  if (parsed === undefined || parsed.hostname === "") {
    return refuse(`expected ${expectedAddress}, got ${url === "" ? "an empty value" : url}`)
  }
  switch (ClientConfig.addressProblem(parsed, allowInsecureHttp)) {
    case "credentials":
      return refuse(
        "expected an address without a user name or password: set CODE42_USERNAME with CODE42_PASSWORD or " +
          "CODE42_PASSWORD_FILE (or CODE42_CLIENT_ID with CODE42_CLIENT_SECRET or CODE42_CLIENT_SECRET_FILE) instead"
      )
    case "query":
      return refuse(
        `expected an address without a query (?) or fragment (#), e.g. https://console.us.code42.com, got ${url}`
      )
    case "insecure":
      return refuse(
        `plain http to ${parsed.hostname}, which is not loopback, would send the credentials unencrypted: use ` +
          `https, or allow it with --${table.allowInsecureHttp.flag} (${table.allowInsecureHttp.env}=true), got ${url}`
      )
    case undefined:
      return Effect.void
  }
}

/**
 * The client configuration: the URL of the settings, the credentials from the environment (only there), and
 * the settings' tuning.
 */
export const clientConfig = (settings: Settings) =>
  Effect.gen(function*() {
    if (Option.isNone(settings.url)) {
      return yield* new SettingsError({
        message: "no Code42 URL: pass --url, set CODE42_URL, or set url in the settings file"
      })
    }
    yield* checkUrl(settings.url.value, settings.given.get("url") ?? "url", settings.allowInsecureHttp)
    const env = yield* Effect.configProviderWith(Effect.succeed)
    const provider = ConfigProvider.fromMap(new Map([["CODE42_URL", settings.url.value]])).pipe(
      ConfigProvider.orElse(() => env)
    )
    const config = yield* ClientConfig.fromEnv.pipe(
      Effect.withConfigProvider(provider),
      Effect.mapError((error) => new SettingsError({ message: sentences(error) }))
    )
    if (settings.api === "gateway" && config.auth._tag === "LocalAccount") {
      return yield* new SettingsError({
        message: "api gateway signs in with an API client: set CODE42_CLIENT_ID and CODE42_CLIENT_SECRET (or " +
          "CODE42_CLIENT_SECRET_FILE) instead of CODE42_USERNAME. The family's user sign-in is deprecated, and it " +
          "cannot tell the signed-in user's org, which orgsync must never deactivate."
      })
    }
    return {
      ...config,
      api: settings.api,
      rateLimit: {
        requestsPerSecond: settings.rateLimit,
        burst: Option.getOrElse(settings.burst, () => Math.max(1, Math.ceil(settings.rateLimit)))
      },
      concurrency: settings.concurrency,
      maxRetryAfter: settings.maxRetryAfter,
      allowInsecureHttp: settings.allowInsecureHttp
    } satisfies ClientConfig.ClientConfig
  })

/** The messages of a configuration error, each once, without Effect's `(Missing data at ...)` framing. */
const sentences = (error: ConfigError.ConfigError): string => [...new Set(leaves(error).map((e) => e.message))].join(" ")

/** A principal names who signs in, without any secret: it keys facts remembered per account. */
export const principal = (config: ClientConfig.ClientConfig): string =>
  `${config.url} ${config.auth._tag === "ApiClient" ? config.auth.clientId : config.auth.username}`
