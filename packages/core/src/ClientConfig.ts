/**
 * How to reach and sign in to a Code42 tenant, and how hard the client may push it: the settings of
 * `OrgClient.layer`, read from the environment by `fromEnv`.
 */
import * as fs from "node:fs"
import { Config, ConfigError, Duration, Effect, Either, Option, Redacted } from "effect"
import * as Totp from "./internal/totp.js"

/** A Code42 user signing in with a password (and a two-factor code when the account requires one). */
export interface LocalAccount {
  readonly _tag: "LocalAccount"
  readonly username: string
  readonly password: Redacted.Redacted
  /** Produces the current two-factor code; asked again for every sign-in (see `totpFromSecret`). */
  readonly totp?: Effect.Effect<Redacted.Redacted> | undefined
}

/** A Code42 API client (client-credentials grant). */
export interface ApiClient {
  readonly _tag: "ApiClient"
  readonly clientId: string
  readonly secret: Redacted.Redacted
}

export type Auth = LocalAccount | ApiClient

/**
 * Which endpoint family acts on orgs: v1 is id-addressed, v3 is guid-addressed (code42-api.md section 2), both
 * served by `OrgClient`; gateway is the Incydr API gateway's `/v1/orgs` (section 10), served by
 * `GatewayClient`.
 */
export type Api = "v1" | "v3" | "gateway"

export interface RateLimit {
  /** The most requests per second: after a 429 the client goes slower, then speeds up again step by step. */
  readonly requestsPerSecond: number
  /**
   * How many requests may reach the server at once after a quiet period, those in flight included: the bucket
   * holds the burst less the concurrency (at least one token).
   */
  readonly burst: number
}

export interface Retry {
  /** Retries after the first attempt. */
  readonly times: number
  /** The first back-off; it doubles (with jitter) on every retry. */
  readonly base: Duration.DurationInput
  /** The longest back-off. */
  readonly cap: Duration.DurationInput
}

export interface ClientConfig {
  /** The tenant's address, e.g. "https://console.us.code42.com"; without a scheme, https is meant. */
  readonly url: string
  readonly auth: Auth
  /** Default "v3". */
  readonly api?: Api | undefined
  /** Default 20 requests per second, burst 20. */
  readonly rateLimit?: RateLimit | undefined
  /** Requests in flight at once; default 8. */
  readonly concurrency?: number | undefined
  /** Per request; default 30 seconds. */
  readonly timeout?: Duration.DurationInput | undefined
  /** Default 5 retries, from 250 ms up to 10 s apart. */
  readonly retry?: Retry | undefined
  /**
   * The longest Retry-After the client honours; a server asking for longer fails the call at once with
   * `RetryAfterTooLongError`. Default 60 seconds.
   */
  readonly maxRetryAfter?: Duration.DurationInput | undefined
  /** The longest one call may take, its retries and waits included. Default 5 minutes. */
  readonly callTimeout?: Duration.DurationInput | undefined
  /** Allows plain http to hosts other than loopback. */
  readonly allowInsecureHttp?: boolean | undefined
}

/** A `ClientConfig` with its defaults applied and its values checked. */
export interface Resolved {
  readonly baseUrl: URL
  readonly auth: Auth
  readonly api: Api
  readonly rateLimit: RateLimit
  readonly concurrency: number
  readonly timeout: Duration.Duration
  readonly retry: {
    readonly times: number
    readonly base: Duration.Duration
    readonly cap: Duration.Duration
  }
  readonly maxRetryAfter: Duration.Duration
  readonly callTimeout: Duration.Duration
}

/** Loopback: 127.0.0.0/8, localhost (also with the root's dot, `localhost.`) and ::1. */
const isLoopback = (hostname: string): boolean =>
  /^localhost\.?$/i.test(hostname) || hostname === "[::1]" || /^127(\.\d{1,3}){3}$/.test(hostname)

/**
 * What keeps a parsed Code42 address from being used: a user name or password in it (credentials belong in
 * their own variables), a query or a fragment, or plain http to a host that is not loopback unless
 * `allowInsecureHttp`, because the password or secret would travel in it unencrypted.
 */
export const addressProblem = (
  url: URL,
  allowInsecureHttp: boolean
): "credentials" | "query" | "insecure" | undefined =>
  url.username !== "" || url.password !== ""
    ? "credentials"
    : /[?#]/.test(url.href)
    ? "query"
    : url.protocol === "http:" && !allowInsecureHttp && !isLoopback(url.hostname)
    ? "insecure"
    : undefined

const problems = {
  credentials: "carries a user name or password; set them in CODE42_USERNAME and CODE42_PASSWORD instead",
  query: "carries a query or a fragment; give the address of the console only",
  insecure: "uses plain http to a host that is not loopback; use https (plain http is only allowed to 127.0.0.1, " +
    "localhost or ::1 unless insecure http is explicitly allowed)"
} as const

const parseUrl = (url: string, allowInsecureHttp: boolean): Either.Either<URL, string> => {
  const text = url.trim()
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`
  let parsed: URL
  try {
    parsed = new URL(withScheme)
  } catch {
    return Either.left(`The Code42 URL "${text}" is not a valid address.`)
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    return Either.left(`The Code42 URL "${text}" must use https (or http to a loopback host).`)
  }
  const problem = addressProblem(parsed, allowInsecureHttp)
  if (problem !== undefined) {
    // The address is named without its user name or password.
    parsed.username = ""
    parsed.password = ""
    return Either.left(`The Code42 URL "${parsed.origin}" ${problems[problem]}.`)
  }
  parsed.pathname = parsed.pathname.replace(/\/+$/, "")
  return Either.right(parsed)
}

/**
 * Parses the tenant address. https is the default; plain http is refused for anything but loopback
 * (127.0.0.0/8, localhost, ::1) unless `allowInsecureHttp`, because the password or secret travels in it.
 */
export const baseUrl = (url: string, allowInsecureHttp = false): Either.Either<URL, ConfigError.ConfigError> =>
  Either.mapLeft(parseUrl(url, allowInsecureHttp), (message) => ConfigError.InvalidData(["url"], message))

const positive = (value: number, integer: boolean): boolean =>
  Number.isFinite(value) && value > 0 && (!integer || Number.isInteger(value))

const check = <A extends number>(
  path: string,
  value: A,
  integer: boolean
): Either.Either<A, ConfigError.ConfigError> =>
  positive(value, integer)
    ? Either.right(value)
    : Either.left(ConfigError.InvalidData([path], `${path} must be a positive ${integer ? "integer" : "number"}.`))

const positiveDuration = (path: string, input: Duration.DurationInput) => {
  const duration = Duration.decode(input)
  return Duration.greaterThan(duration, Duration.zero)
    ? Either.right(duration)
    : Either.left(ConfigError.InvalidData([path], `${path} must be longer than zero.`))
}

/** Applies the defaults and checks every value. */
export const resolve = (config: ClientConfig): Either.Either<Resolved, ConfigError.ConfigError> =>
  Either.gen(function*() {
    const rateLimit = config.rateLimit ?? { requestsPerSecond: 20, burst: 20 }
    const retry = config.retry ?? { times: 5, base: "250 millis", cap: "10 seconds" }
    if (!Number.isInteger(retry.times) || retry.times < 0) {
      return yield* Either.left(ConfigError.InvalidData(["retry", "times"], "retry.times must be 0 or more."))
    }
    return {
      baseUrl: yield* baseUrl(config.url, config.allowInsecureHttp),
      auth: config.auth,
      api: config.api ?? "v3",
      rateLimit: {
        requestsPerSecond: yield* check("rateLimit.requestsPerSecond", rateLimit.requestsPerSecond, false),
        burst: yield* check("rateLimit.burst", rateLimit.burst, true)
      },
      concurrency: yield* check("concurrency", config.concurrency ?? 8, true),
      timeout: Duration.decode(config.timeout ?? "30 seconds"),
      retry: { times: retry.times, base: Duration.decode(retry.base), cap: Duration.decode(retry.cap) },
      maxRetryAfter: Duration.decode(config.maxRetryAfter ?? "60 seconds"),
      callTimeout: yield* positiveDuration("callTimeout", config.callTimeout ?? "5 minutes")
    }
  })

const credentialsHelp = "Set CODE42_USERNAME and CODE42_PASSWORD (or CODE42_PASSWORD_FILE) for a local account, " +
  "or CODE42_CLIENT_ID and CODE42_CLIENT_SECRET (or CODE42_CLIENT_SECRET_FILE) for an API client."

/** Far above any password or secret: a file longer than this (`/dev/zero`) is not one, and is not read whole. */
const maxSecretBytes = 64 * 1024

/** The first `limit` bytes of a file, or all of it when it is shorter; a pipe (`<(...)`) is read as a file. */
const readAtMost = (path: string, limit: number): Buffer => {
  const fd = fs.openSync(path, "r")
  try {
    const buffer = Buffer.alloc(limit)
    let length = 0
    while (length < limit) {
      const read = fs.readSync(fd, buffer, length, limit - length, null)
      if (read === 0) break
      length += read
    }
    return buffer.subarray(0, length)
  } finally {
    fs.closeSync(fd)
  }
}

/** Reads a secret from the file a `*_FILE` variable names (systemd's `LoadCredential=`, Docker secrets). */
const readSecretFile = (
  variable: string,
  what: string,
  path: string
): Either.Either<Redacted.Redacted, ConfigError.ConfigError> => {
  try {
    const bytes = readAtMost(path, maxSecretBytes + 1)
    if (bytes.length > maxSecretBytes) {
      return Either.left(ConfigError.InvalidData(
        [variable],
        `The ${what} file "${path}" cannot be read: it holds more than ${maxSecretBytes / 1024} KiB.`
      ))
    }
    const secret = bytes.toString("utf8").trim()
    return secret === ""
      ? Either.left(ConfigError.InvalidData([variable], `${variable} names an empty file "${path}".`))
      : Either.right(Redacted.make(secret))
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    return Either.left(
      ConfigError.InvalidData(
        [variable],
        `The ${what} file "${path}" cannot be read${code === undefined ? "" : ` (${code})`}.`
      )
    )
  }
}

/** A secret given either directly or as a file, never both, and never empty (it would only be refused by Code42). */
const secretOf = (
  variable: string,
  what: string,
  value: Option.Option<Redacted.Redacted>,
  file: Option.Option<string>
): Option.Option<Either.Either<Redacted.Redacted, ConfigError.ConfigError>> =>
  Option.isSome(value) && Option.isSome(file)
    ? Option.some(Either.left(ConfigError.InvalidData(
      [`${variable}_FILE`],
      `Both ${variable} and ${variable}_FILE are set; set only one.`
    )))
    : Option.isSome(value)
    ? Option.some(
      Redacted.value(value.value) === ""
        ? Either.left(ConfigError.InvalidData([variable], `${variable} is empty.`))
        : Either.right(value.value)
    )
    : Option.map(file, (path) => readSecretFile(`${variable}_FILE`, what, path))

/**
 * `LocalAccount.totp` from the account's base32 authenticator secret: a fresh code (RFC 6238: SHA-1, 6 digits,
 * 30 s) at every sign-in, so that a long-running client can sign in again.
 */
export const totpFromSecret = (
  secret: Redacted.Redacted
): Either.Either<Effect.Effect<Redacted.Redacted>, ConfigError.ConfigError> =>
  Either.mapLeft(Totp.fromSecret(secret), (reason) => ConfigError.InvalidData(["totp"], `The TOTP secret ${reason}.`))

/**
 * The two-factor code of a local account: generated from CODE42_TOTP_SECRET at every sign-in (a daemon signs in
 * again long after any code typed at its start has expired), or the static CODE42_TOTP of a one-shot command.
 */
const totpOf = (
  code: Option.Option<Redacted.Redacted>,
  secret: Option.Option<Redacted.Redacted>
): Either.Either<LocalAccount["totp"], ConfigError.ConfigError> => {
  if (Option.isSome(secret)) {
    if (Option.isSome(code)) {
      return Either.left(ConfigError.InvalidData(
        ["CODE42_TOTP_SECRET"],
        "Both CODE42_TOTP and CODE42_TOTP_SECRET are set; set only one (the secret for a daemon)."
      ))
    }
    return Either.mapLeft(
      Totp.fromSecret(secret.value),
      (reason) => ConfigError.InvalidData(["CODE42_TOTP_SECRET"], `CODE42_TOTP_SECRET ${reason}.`)
    )
  }
  return Either.right(Option.match(code, { onNone: () => undefined, onSome: (code) => Effect.succeed(code) }))
}

const authFromEnv: Config.Config<Auth> = Config.all({
  username: Config.option(Config.string("CODE42_USERNAME")),
  password: Config.option(Config.redacted("CODE42_PASSWORD")),
  passwordFile: Config.option(Config.string("CODE42_PASSWORD_FILE")),
  clientId: Config.option(Config.string("CODE42_CLIENT_ID")),
  secret: Config.option(Config.redacted("CODE42_CLIENT_SECRET")),
  secretFile: Config.option(Config.string("CODE42_CLIENT_SECRET_FILE")),
  totp: Config.option(Config.redacted("CODE42_TOTP")),
  totpSecret: Config.option(Config.redacted("CODE42_TOTP_SECRET"))
}).pipe(Config.mapOrFail((env): Either.Either<Auth, ConfigError.ConfigError> => {
  const local = Option.isSome(env.username) || Option.isSome(env.password) || Option.isSome(env.passwordFile)
  const client = Option.isSome(env.clientId) || Option.isSome(env.secret) || Option.isSome(env.secretFile)
  if (local && client) {
    return Either.left(ConfigError.InvalidData(
      ["CODE42_CLIENT_ID"],
      `Both a local account and an API client are configured; set only one. ${credentialsHelp}`
    ))
  }
  if (client) {
    const secret = secretOf("CODE42_CLIENT_SECRET", "client secret", env.secret, env.secretFile)
    if (Option.isNone(env.clientId) || Option.isNone(secret)) {
      return Either.left(ConfigError.MissingData(
        [Option.isNone(env.clientId) ? "CODE42_CLIENT_ID" : "CODE42_CLIENT_SECRET"],
        `An API client needs both CODE42_CLIENT_ID and CODE42_CLIENT_SECRET (or CODE42_CLIENT_SECRET_FILE).`
      ))
    }
    const clientId = env.clientId.value
    return Either.map(secret.value, (secret): Auth => ({ _tag: "ApiClient", clientId, secret }))
  }
  if (!local) {
    return Either.left(
      ConfigError.MissingData(["CODE42_USERNAME"], `No Code42 credentials are set. ${credentialsHelp}`)
    )
  }
  if (Option.isNone(env.username)) {
    return Either.left(ConfigError.MissingData(["CODE42_USERNAME"], "A local account needs CODE42_USERNAME."))
  }
  const password = Option.getOrElse(
    secretOf("CODE42_PASSWORD", "password", env.password, env.passwordFile),
    () =>
      Either.left(ConfigError.MissingData(
        ["CODE42_PASSWORD"],
        "A local account needs CODE42_PASSWORD or CODE42_PASSWORD_FILE."
      ))
  )
  const username = env.username.value
  return Either.flatMap(password, (password) =>
    Either.map(totpOf(env.totp, env.totpSecret), (totp): Auth => ({ _tag: "LocalAccount", username, password, totp })))
}))

/**
 * Reads CODE42_URL; CODE42_USERNAME with CODE42_PASSWORD or CODE42_PASSWORD_FILE (its content, trimmed), or
 * CODE42_CLIENT_ID with CODE42_CLIENT_SECRET or CODE42_CLIENT_SECRET_FILE; CODE42_TOTP_SECRET (the base32
 * authenticator secret, a fresh two-factor code at every sign-in) or CODE42_TOTP (a static code, for one-shot
 * commands); CODE42_API (v1 | v3 | gateway);
 * CODE42_RATE_LIMIT (requests per second), CODE42_BURST and CODE42_CONCURRENCY. Malformed values fail here
 * with a message that names the variable.
 */
export const fromEnv: Config.Config<ClientConfig> = Config.all({
  url: Config.string("CODE42_URL").pipe(
    Config.mapOrFail((url) =>
      // Only the syntax here: the http policy is applied by `resolve`, where `allowInsecureHttp` is known.
      Either.mapBoth(parseUrl(url, true), {
        // The path is prefixed with the variable's name already.
        onLeft: (message) => ConfigError.InvalidData([], message),
        onRight: () => url
      })
    )
  ),
  auth: authFromEnv,
  api: Config.option(Config.literal("v1", "v3", "gateway")("CODE42_API")),
  requestsPerSecond: Config.option(Config.number("CODE42_RATE_LIMIT")),
  burst: Config.option(Config.integer("CODE42_BURST")),
  concurrency: Config.option(Config.integer("CODE42_CONCURRENCY"))
}).pipe(Config.mapOrFail((env) =>
  Either.gen(function*() {
    const requestsPerSecond = yield* Option.match(env.requestsPerSecond, {
      onNone: () => Either.right(undefined),
      onSome: (value) => check("CODE42_RATE_LIMIT", value, false)
    })
    const burst = yield* Option.match(env.burst, {
      onNone: () => Either.right(undefined),
      onSome: (value) => check("CODE42_BURST", value, true)
    })
    const concurrency = yield* Option.match(env.concurrency, {
      onNone: () => Either.right(undefined),
      onSome: (value) => check("CODE42_CONCURRENCY", value, true)
    })
    return {
      url: env.url,
      auth: env.auth,
      api: Option.getOrUndefined(env.api),
      // A rate without a burst lets one second's worth of requests start at once.
      rateLimit: requestsPerSecond === undefined && burst === undefined ? undefined : {
        requestsPerSecond: requestsPerSecond ?? 20,
        burst: burst ?? Math.max(1, Math.ceil(requestsPerSecond ?? 20))
      },
      concurrency
    }
  })
))
