/**
 * Settings: where orgsync finds Code42, the desired files and the state database, resolved from the command
 * line, then the environment, then the `--config` file (config/orgsync.yaml), then defaults.
 */
import { FileSystem } from "@effect/platform"
import { ClientConfig } from "@c42/core"
import { Config, type ConfigError, ConfigProvider, Data, Duration, Effect, Option } from "effect"
import * as Yaml from "yaml"

export interface Settings {
  readonly desired: string
  readonly state: string
  readonly interval: Duration.Duration
  readonly listen: { readonly host: string; readonly port: number }
  readonly logFormat: "logfmt" | "json"
  /** The daemon may block and deactivate above 25% of the managed orgs (`run --force`), logged at every pass. */
  readonly force: boolean
  /** The file's client settings; credentials always come from the environment. */
  readonly client: Partial<
    Pick<ClientConfig.ClientConfig, "url" | "api" | "rateLimit" | "concurrency" | "allowInsecureHttp" | "maxRetryAfter">
  >
}

/** What the command line gave (all optional). */
export interface Flags {
  readonly config: Option.Option<string>
  readonly desired?: Option.Option<string>
  readonly state?: Option.Option<string>
  readonly interval?: Option.Option<string>
  readonly maxRetryAfter?: Option.Option<string>
  readonly listen?: Option.Option<string>
  readonly logFormat?: Option.Option<"logfmt" | "json">
  readonly force?: boolean
}

export class SettingsError extends Data.TaggedError("SettingsError")<{ readonly message: string }> {}

const fileKeys = ["url", "desired", "state", "api", "rateLimit", "burst", "concurrency", "interval", "listen",
  "logFormat", "allowInsecureHttp", "force", "maxRetryAfter"] as const

/** Reads the `--config` file: a YAML mapping of the keys above. */
const readFile = (path: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const text = yield* fs.readFileString(path).pipe(
      Effect.mapError(() => new SettingsError({ message: `${path}: cannot read the settings file` }))
    )
    const parsed: unknown = yield* Effect.try({
      try: () => Yaml.parse(text),
      catch: (e) => new SettingsError({ message: `${path}: ${(e as Error).message}` })
    })
    if (parsed === null || parsed === undefined) return {} as Record<string, unknown>
    if (typeof parsed !== "object" || Array.isArray(parsed)) {
      return yield* new SettingsError({ message: `${path}: expected a mapping of settings` })
    }
    const unknown = Object.keys(parsed).filter((key) => !(fileKeys as ReadonlyArray<string>).includes(key))
    if (unknown.length > 0) {
      return yield* new SettingsError({
        message: `${path}: unknown setting ${unknown.join(", ")} (known: ${fileKeys.join(", ")})`
      })
    }
    return parsed as Record<string, unknown>
  })

/** Parses `host:port` (the host may be `[::1]`). */
export const parseListen = (value: string): Effect.Effect<{ host: string; port: number }, SettingsError> => {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value)
  const port = match ? Number(match[3]) : NaN
  return match && port <= 65535
    ? Effect.succeed({ host: match[1] ?? (match[2] || "127.0.0.1"), port })
    : Effect.fail(new SettingsError({ message: `--listen ${value}: expected HOST:PORT, e.g. 127.0.0.1:9464` }))
}

/** Parses a duration like `5m`, `30s`, `1h` or `500ms`; `name` is the setting's, for the message. */
export const parseDuration = (value: string, name = "interval"): Effect.Effect<Duration.Duration, SettingsError> => {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(value.trim())
  if (!match) {
    return Effect.fail(new SettingsError({ message: `${name} ${value}: expected a duration like 30s, 5m or 1h` }))
  }
  const amount = Number(match[1])
  const unit = { ms: "millis", s: "seconds", m: "minutes", h: "hours" }[match[2] as "ms" | "s" | "m" | "h"]
  return Effect.succeed(Duration.decode(`${amount} ${unit}` as Duration.DurationInput))
}

const env = (name: string) => Config.option(Config.string(name))

const pick = (...candidates: ReadonlyArray<Option.Option<string> | undefined>) =>
  candidates.reduce<Option.Option<string>>((found, next) => Option.orElse(found, () => next ?? Option.none()), Option.none())

const fileString = (file: Record<string, unknown>, key: string): Option.Option<string> =>
  typeof file[key] === "string" || typeof file[key] === "number" ? Option.some(String(file[key])) : Option.none()

/** Between two passes of the daemon: anything shorter would poll Code42 without pause. */
export const MinInterval = Duration.seconds(5)

export const resolve = (flags: Flags) =>
  Effect.gen(function*() {
    const configPath = pick(flags.config, yield* env("ORGSYNC_CONFIG"))
    const file = Option.isSome(configPath) ? yield* readFile(configPath.value) : {}
    const desired = pick(flags.desired, yield* env("ORGSYNC_DESIRED"), fileString(file, "desired"))
    const state = pick(flags.state, yield* env("ORGSYNC_STATE"), fileString(file, "state"))
    const url = fileString(file, "url")
    const intervalText = Option.getOrElse(
      pick(flags.interval, yield* env("ORGSYNC_INTERVAL"), fileString(file, "interval")),
      () => "5m"
    )
    const interval = yield* parseDuration(intervalText)
    if (Duration.lessThan(interval, MinInterval)) {
      return yield* new SettingsError({
        message: `interval ${intervalText} is too short: at least 5s between passes, so that Code42 is not polled without pause`
      })
    }
    const listen = yield* parseListen(
      Option.getOrElse(pick(flags.listen, yield* env("ORGSYNC_LISTEN"), fileString(file, "listen")), () => "127.0.0.1:9464")
    )
    const logFormat = Option.getOrElse(
      pick(flags.logFormat, yield* env("ORGSYNC_LOG_FORMAT"), fileString(file, "logFormat")),
      () => "logfmt"
    )
    // The longest Retry-After honoured; a longer demand fails the request at once (default 60s).
    const maxRetryAfter = pick(flags.maxRetryAfter, yield* env("ORGSYNC_MAX_RETRY_AFTER"), fileString(file, "maxRetryAfter"))
    const maxRetryAfterDuration = Option.isSome(maxRetryAfter)
      ? Option.some(yield* parseDuration(maxRetryAfter.value, "maxRetryAfter"))
      : Option.none()
    if (logFormat !== "logfmt" && logFormat !== "json") {
      return yield* new SettingsError({ message: `logFormat ${logFormat}: expected logfmt or json` })
    }
    const forceEnv = yield* env("ORGSYNC_FORCE")
    if (Option.isSome(forceEnv) && forceEnv.value !== "true" && forceEnv.value !== "false") {
      return yield* new SettingsError({ message: `ORGSYNC_FORCE ${forceEnv.value}: expected true or false` })
    }
    if (file.force !== undefined && typeof file.force !== "boolean") {
      return yield* new SettingsError({ message: "force: expected true or false" })
    }
    const force = flags.force === true ||
      (Option.isSome(forceEnv) ? forceEnv.value === "true" : file.force === true)
    const api = pick(yield* env("ORGSYNC_API"), fileString(file, "api"))
    if (Option.isSome(api) && api.value !== "v1" && api.value !== "v3") {
      const where = Option.isSome(yield* env("ORGSYNC_API")) ? "ORGSYNC_API" : Option.getOrElse(configPath, () => "")
      return yield* new SettingsError({ message: `${where}: api ${api.value}: expected v1 or v3` })
    }
    const number = (key: string) => typeof file[key] === "number" ? file[key] as number : undefined
    const client: Settings["client"] = {
      ...(Option.isSome(url) ? { url: url.value } : {}),
      ...(Option.isSome(api) ? { api: api.value as "v1" | "v3" } : {}),
      ...(number("rateLimit") !== undefined
        ? { rateLimit: { requestsPerSecond: number("rateLimit")!, burst: number("burst") ?? number("rateLimit")! } }
        : {}),
      ...(number("concurrency") !== undefined ? { concurrency: number("concurrency")! } : {}),
      ...(file.allowInsecureHttp === true ? { allowInsecureHttp: true } : {}),
      ...(Option.isSome(maxRetryAfterDuration) ? { maxRetryAfter: maxRetryAfterDuration.value } : {})
    }
    return {
      desired: Option.getOrElse(desired, () => "config/orgs.yaml"),
      state: Option.getOrElse(state, () => ".orgsync/state.db"),
      interval,
      listen,
      logFormat,
      force,
      client
    } satisfies Settings
  })

/**
 * The client configuration from the environment (credentials always come from there), with the URL from
 * `--url` before `CODE42_URL` before the settings file, and the file's tuning on top.
 */
export const clientConfig = (settings: Settings, urlFlag: Option.Option<string>) => {
  const fromMap = (url: Option.Option<string>) =>
    ConfigProvider.fromMap(new Map(Option.toArray(Option.map(url, (u) => ["CODE42_URL", u] as const))))
  const provider = fromMap(urlFlag).pipe(
    ConfigProvider.orElse(() => ConfigProvider.fromEnv()),
    ConfigProvider.orElse(() => fromMap(Option.fromNullable(settings.client.url)))
  )
  const { url: _url, ...tuning } = settings.client
  return Effect.gen(function*() {
    const url = Option.orElse(urlFlag, () => Option.fromNullable(settings.client.url))
    if (Option.isNone(url) && Option.isNone(yield* env("CODE42_URL"))) {
      return yield* new SettingsError({
        message: "no Code42 URL: pass --url, set CODE42_URL, or set url in the settings file"
      })
    }
    const config = yield* ClientConfig.fromEnv.pipe(
      Effect.withConfigProvider(provider),
      Effect.mapError((error) => new SettingsError({ message: sentences(error) }))
    )
    return { ...config, ...tuning } satisfies ClientConfig.ClientConfig
  })
}

/** The messages of a configuration error, each once, without Effect's `(Missing data at ...)` framing. */
const sentences = (error: ConfigError.ConfigError): string => {
  const found = new Set<string>()
  const collect = (e: ConfigError.ConfigError): void => {
    if (e._op === "And" || e._op === "Or") {
      collect(e.left)
      collect(e.right)
    } else if (e._op === "InvalidData" || e._op === "MissingData" || e._op === "SourceUnavailable" || e._op === "Unsupported") {
      found.add(e.message)
    }
  }
  collect(error)
  return [...found].join(" ")
}

/** A principal names who signs in, without any secret: it keys facts remembered per account. */
export const principal = (config: ClientConfig.ClientConfig): string =>
  `${config.url} ${config.auth._tag === "ApiClient" ? config.auth.clientId : config.auth.username}`
