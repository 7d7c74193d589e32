/** The flags that several commands share. */
import { Options } from "@effect/cli"
import * as Settings from "../Settings.js"

export const config = Settings.configOption
export const { desired, state } = Settings.options("desired", "state")
/** The settings of a command that talks to Code42. */
export const connection = Settings.options(
  "url",
  "api",
  "rateLimit",
  "burst",
  "concurrency",
  "maxRetryAfter",
  "allowInsecureHttp"
)
export const policySettings = Settings.options("destructive", "drift")
export const daemonSettings = Settings.options("interval", "listen", "logFormat", "force", "destructive", "drift", "notify")

export const out = Options.text("out").pipe(
  Options.withPseudoName("FILE"),
  Options.withDescription("Write to this file instead of stdout"),
  Options.optional
)
