/**
 * The flags and arguments of each command. The command line is built of these alone, and each command's work
 * (`commands/`) is loaded only when that command runs.
 */
import { Args, type Command, Options } from "@effect/cli"
import type { Types } from "effect"
import * as Settings from "./Settings.js"

/** The values a command's handler is given for its flags and arguments. */
export type Values<C extends Command.Command.Config> = Types.Simplify<Command.Command.ParseConfig<C>>

const config = Settings.configOption
const { desired, state } = Settings.options("desired", "state")
/** The settings of a command that talks to Code42. */
export const connectionKeys = [
  "url",
  "api",
  "rateLimit",
  "burst",
  "concurrency",
  "maxRetryAfter",
  "allowInsecureHttp"
] as const
const connection = Settings.options(...connectionKeys)
const policySettings = Settings.options("destructive", "drift")
const daemonSettings = Settings.options("interval", "listen", "logFormat", "force", "destructive", "drift", "notify")
const { listen } = Settings.options("listen")

const out = Options.text("out").pipe(
  Options.withPseudoName("FILE"),
  Options.withDescription("Write to this file instead of stdout"),
  Options.optional
)

export const validate = { config, desired }

export const plan = {
  config,
  desired,
  state,
  ...connection,
  format: Options.choice("format", ["text", "markdown", "json"]).pipe(
    Options.withDescription("How to print the plan: rows for a person, a pull-request comment, or JSON (default text)"),
    Options.withDefault("text" as const)
  ),
  out,
  offline: Options.boolean("offline").pipe(
    Options.withDescription("Plan from the snapshot in the state database, without any call to Code42")
  ),
  ...policySettings
}

export const apply = {
  config,
  desired,
  state,
  ...connection,
  yes: Options.boolean("yes").pipe(Options.withDescription("Apply without asking")),
  force: Options.boolean("force").pipe(
    Options.withDescription("Allow blocks and deactivations above 25% of the managed orgs")
  ),
  plan: Options.text("plan").pipe(
    Options.withPseudoName("FILE"),
    Options.withDescription("Apply this reviewed JSON plan, only while it still matches what would be planned now"),
    Options.optional
  ),
  ...policySettings
}

export const run = {
  config,
  desired,
  state,
  ...connection,
  dryRun: Options.boolean("dry-run").pipe(Options.withDescription("Plan and report, never write")),
  ...daemonSettings,
  ...Settings.options("gitRepo", "gitBranch", "gitPath")
}

export const importFlags = {
  config,
  state,
  ...connection,
  out,
  root: Options.text("root").pipe(
    Options.withPseudoName("UID"),
    Options.withDescription("The orgUid of the org to import under (default: the tenant's top-level org)"),
    Options.optional
  ),
  allowLossy: Options.boolean("allow-lossy").pipe(
    Options.withDescription("Write the file even where it cannot hold the tenant as it is (named on stderr)")
  )
}

export const status = { config, desired, state }

export const demo = { desired, listen: daemonSettings.listen, interval: daemonSettings.interval }

export const schema = {}

export const version = {}

/** The flags of the commands that reach the running daemon at its `listen` address. */
export const admin = { config, listen }

export const approve = {
  ...admin,
  all: Options.boolean("all").pipe(Options.withDescription("Approve every change awaiting approval"))
}

const heldId = Args.text({ name: "id" }).pipe(Args.withDescription("The id of a held change, as /api/status lists it"))

export const approveArgs = { ...approve, id: Args.optional(heldId) }

export const rejectArgs = { ...admin, id: heldId }
