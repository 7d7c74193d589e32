/**
 * The kinds of value a setting holds: how the text of a flag or an environment variable (or a value of the
 * settings file) becomes the setting's value, what the settings file must hold, and what a person is told when
 * it is neither.
 */
import { Config, ConfigError, Duration, Either } from "effect"

/** The YAML type a settings file must give the key. */
export type FileType = "string" | "number" | "boolean" | "list"

export interface Value<A> {
  /** What a valid value looks like, for messages ("expected ..."). */
  readonly expected: string
  readonly file: FileType
  /** What a flag of this kind takes, in help (`N`, `v1|v3`); empty for a switch. */
  readonly placeholder: string
  /** Reads the setting of that name through the configuration provider in force. */
  readonly config: (name: string) => Config.Config<A>
}

/** A value that is not of its kind; where it came from and what it was are added by whoever reports it. */
const refuse = (expected: string) => ConfigError.InvalidData([], `expected ${expected}`)

const parsed = <A>(
  expected: string,
  file: FileType,
  placeholder: string,
  parse: (text: string) => A | undefined
): Value<A> => ({
  expected,
  file,
  placeholder,
  config: (name) =>
    Config.string(name).pipe(Config.mapOrFail((text) => {
      const value = parse(text.trim())
      return value === undefined ? Either.left(refuse(expected)) : Either.right(value)
    }))
})

export const text: Value<string> = parsed("text", "string", "TEXT", (text) => (text === "" ? undefined : text))

export const positiveNumber: Value<number> = parsed("a number above 0", "number", "N", (text) => {
  const n = Number(text)
  return text !== "" && Number.isFinite(n) && n > 0 ? n : undefined
})

export const positiveInteger: Value<number> = parsed("a whole number above 0", "number", "N", (text) => {
  const n = Number(text)
  return /^\d+$/.test(text) && n > 0 ? n : undefined
})

export const boolean: Value<boolean> = parsed(
  "true or false",
  "boolean",
  "",
  (text) => (text === "true" ? true : text === "false" ? false : undefined)
)

const spell = (values: ReadonlyArray<string>) =>
  values.length === 1 ? values[0]! : `${values.slice(0, -1).join(", ")} or ${values[values.length - 1]}`

export const choice = <const A extends string>(...values: ReadonlyArray<A>): Value<A> =>
  parsed(spell(values), "string", values.join("|"), (text) => (values as ReadonlyArray<string>).includes(text) ? text as A : undefined)

/** Text checked only where it is used (the Code42 URL, by the commands that reach Code42); may be empty. */
export const deferred = (placeholder: string): Value<string> => parsed("text", "string", placeholder, (text) => text)

/** A git repository: a URL or a path, never one that git would read as an option. */
export const repository: Value<string> = parsed(
  "a URL or a path to a repository",
  "string",
  "URL",
  (text) => (text === "" || text.startsWith("-") ? undefined : text)
)

/** A branch name that git accepts and that can neither be read as an option nor break a refspec. */
export const branch: Value<string> = parsed(
  "a branch name",
  "string",
  "BRANCH",
  (text) => (/^(?!-)(?!.*\.\.)(?!.*\/\/)[A-Za-z0-9._/-]+(?<![./])$/.test(text) ? text : undefined)
)

const units = { ms: "millis", s: "seconds", m: "minutes", h: "hours" } as const

/** A duration like `500ms`, `30s`, `5m` or `1h`, at least `min` when given. */
export const duration = (min?: { readonly value: Duration.Duration; readonly text: string }): Value<Duration.Duration> =>
  parsed(
    min === undefined ? "a duration like 30s, 5m or 1h" : `a duration of at least ${min.text}, like 30s, 5m or 1h`,
    "string",
    "DURATION",
    (text) => {
      const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text)
      if (match === null) return undefined
      const value = Duration.decode(`${Number(match[1])} ${units[match[2] as keyof typeof units]}` as Duration.DurationInput)
      return min !== undefined && Duration.lessThan(value, min.value) ? undefined : value
    }
  )

export interface Address {
  readonly host: string
  readonly port: number
}

/** `host:port`; the host may be `[::1]`, and is 127.0.0.1 when left out (`:9464`). */
export const address: Value<Address> = parsed("HOST:PORT, e.g. 127.0.0.1:9464", "string", "HOST:PORT", (text) => {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text)
  const port = match ? Number(match[3]) : NaN
  return match && port <= 65535 ? { host: match[1] ?? (match[2] || "127.0.0.1"), port } : undefined
})

/** A list: comma-separated in a flag or the environment, a YAML list in the settings file. */
export const list: Value<ReadonlyArray<string>> = {
  expected: "a list",
  file: "list",
  placeholder: "LIST",
  config: (name) =>
    Config.string(name).pipe(
      Config.map((text) => text.split(",").map((item) => item.trim()).filter((item) => item !== ""))
    )
}
