/**
 * Every setting of orgsync, each with its flag, its environment variable, its key of the settings file, its
 * default and the kind of value it takes. `Settings` reads them through one chain.
 */
import { Config, Duration, type Option } from "effect"
import * as Value from "./internal/settingValue.js"

export interface Setting<A> {
  /** Its key in the settings file; a dot marks a key of a nested mapping (`git.repo`). */
  readonly file: string
  /** Its environment variable: `ORGSYNC_` and the file key in upper snake case, unless the entry names one. */
  readonly env: string
  /** Its flag, without the dashes: the file key in kebab case. */
  readonly flag: string
  /** The environment variable's earlier name, still read (with a warning on stderr) until the next version. */
  readonly was?: string | undefined
  readonly description: string
  /** What its flag takes, in help (`PATH`, `N`); empty for a switch. */
  readonly placeholder: string
  /** The default as a person writes it; none when the setting may stay unset. */
  readonly default?: string | undefined
  /** What leaving a setting without a default unset means. */
  readonly unset?: string | undefined
  readonly value: Value.Value<unknown>
  readonly read: Config.Config<A>
}

interface Spec<A> {
  readonly file: string
  readonly env?: string
  readonly was?: string
  readonly description: string
  readonly placeholder?: string
  readonly value: Value.Value<A>
}

const names = (file: string) => ({
  env: `ORGSYNC_${file.replace(/\./g, "_").replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`,
  flag: file.replace(/\./g, "-").replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
})

/** A setting with a default. */
const setting = <A>(spec: Spec<A> & { readonly default: string }): Setting<A> => {
  const { env, flag } = names(spec.file)
  const name = spec.env ?? env
  return { ...spec, env: name, flag, placeholder: spec.placeholder ?? spec.value.placeholder, read: spec.value.config(name) }
}

/** A setting that may stay unset. */
const optional = <A>(spec: Spec<A> & { readonly unset: string }): Setting<Option.Option<A>> => {
  const { env, flag } = names(spec.file)
  const name = spec.env ?? env
  return {
    ...spec,
    env: name,
    flag,
    placeholder: spec.placeholder ?? spec.value.placeholder,
    read: Config.option(spec.value.config(name))
  }
}

/** Between two passes of the daemon: anything shorter would poll Code42 without pause. */
export const MinInterval = Duration.seconds(5)

/** Every setting. Adding one is adding an entry here; the README's table of settings lists the same. */
export const table = {
  url: optional({
    file: "url",
    env: "CODE42_URL",
    placeholder: "URL",
    description: "The Code42 server, e.g. https://console.us.code42.com",
    unset: "none",
    value: Value.deferred("URL")
  }),
  desired: setting({
    file: "desired",
    placeholder: "PATH",
    description: "The desired state: an orgs.yaml file or a folder of them",
    default: "config/orgs.yaml",
    value: Value.text
  }),
  state: setting({
    file: "state",
    placeholder: "FILE",
    description: "The state database (SQLite)",
    default: ".orgsync/state.db",
    value: Value.text
  }),
  api: setting({
    file: "api",
    was: "CODE42_API",
    description: "The endpoint family that acts on orgs",
    default: "v3",
    value: Value.choice("v1", "v3", "gateway")
  }),
  rateLimit: setting({
    file: "rateLimit",
    was: "CODE42_RATE_LIMIT",
    description: "Requests per second, shared by every call",
    default: "20",
    value: Value.positiveNumber
  }),
  burst: optional({
    file: "burst",
    was: "CODE42_BURST",
    description: "Requests that may reach the server at once after a quiet period, those in flight included",
    unset: "the rate limit",
    value: Value.positiveInteger
  }),
  concurrency: setting({
    file: "concurrency",
    was: "CODE42_CONCURRENCY",
    description: "Requests in flight at once",
    default: "8",
    value: Value.positiveInteger
  }),
  maxRetryAfter: setting({
    file: "maxRetryAfter",
    description: "The longest Retry-After to wait for; a longer one fails at once",
    default: "60s",
    value: Value.duration()
  }),
  allowInsecureHttp: setting({
    file: "allowInsecureHttp",
    description: "Allow plain http to a host that is not loopback",
    default: "false",
    value: Value.boolean
  }),
  interval: setting({
    file: "interval",
    description: "Between drift checks of the daemon, with about 10% jitter",
    default: "5m",
    value: Value.duration({ value: MinInterval, text: "5s (so that Code42 is not polled without pause)" })
  }),
  listen: setting({
    file: "listen",
    description: "Where the daemon serves its health, metrics, status API and status page",
    default: "127.0.0.1:9464",
    value: Value.address
  }),
  logFormat: setting({
    file: "logFormat",
    description: "The daemon's log lines",
    default: "logfmt",
    value: Value.choice("logfmt", "json")
  }),
  force: setting({
    file: "force",
    description: "Allow blocks and deactivations above 25% of the managed orgs",
    default: "false",
    value: Value.boolean
  }),
  gitRepo: optional({
    file: "git.repo",
    placeholder: "URL",
    description: "Follow this git repository (a URL or a path) instead of the desired files on disk",
    unset: "none",
    value: Value.repository
  }),
  gitBranch: setting({
    file: "git.branch",
    description: "The branch of git.repo to follow",
    default: "main",
    value: Value.branch
  }),
  gitPath: setting({
    file: "git.path",
    placeholder: "PATH",
    description: "The desired file or folder in git.repo",
    default: "config/orgs.yaml",
    value: Value.text
  }),
  destructive: setting({
    file: "destructive",
    placeholder: "MODE",
    description: "Blocks, deactivations and prunes: auto applies them, confirm holds them for approval (run) or " +
      "asks (apply), never leaves them",
    default: "auto",
    value: Value.choice("auto", "confirm", "never")
  }),
  drift: setting({
    file: "drift",
    placeholder: "MODE",
    description: "Changes made in Code42 by hand: heal reverts them, report only shows them",
    default: "heal",
    value: Value.choice("heal", "report")
  }),
  notify: optional({
    file: "notify",
    placeholder: "URL",
    description: "Webhooks told about drift, held changes, refusals, failures, contested orgs and recovery",
    unset: "none",
    value: Value.list
  })
} satisfies Record<string, Setting<any>>

export type Key = keyof typeof table

/** The value of every setting. */
export type Values = { readonly [K in Key]: (typeof table)[K] extends Setting<infer A> ? A : never }

/**
 * The value of every setting, and which were given, each with where (a flag, an environment variable or the
 * settings file), as messages name it: `--url`, `CODE42_URL`, `settings file orgsync.yaml: url`.
 */
export type Settings = Values & {
  readonly given: ReadonlyMap<Key, string>
  /** The settings file read (`--config`, else ORGSYNC_CONFIG), if any. */
  readonly file: string | undefined
}
