/**
 * The `orgsync` command line: the root command over one module per command (`commands/`), each loaded only
 * when its command runs, so that a quick command (validate, version, help) loads neither the Code42 client
 * nor the state database; what is answered before any command runs (usage, help, version, mistakes in the
 * flags); and the exit code of a run.
 */
import { Command, type Options, ValidationError } from "@effect/cli"
import { Console, Effect, Ref } from "effect"
import * as Arguments from "./Arguments.js"
import * as CommandHelp from "./CommandHelp.js"
import * as CommandFlags from "./CommandFlags.js"
import { ExitCode, failure, ok, usage } from "./ExitCode.js"
import * as Help from "./Help.js"
import * as Logging from "./Logging.js"
import * as Style from "./Style.js"
import * as Version from "./Version.js"

/** Each command, its flags and its help, in the order help lists them. */
const commands: ReadonlyArray<readonly [Help.Doc, Record<string, Options.Options<unknown>>]> = [
  [CommandHelp.validate, CommandFlags.validate],
  [CommandHelp.plan, CommandFlags.plan],
  [CommandHelp.apply, CommandFlags.apply],
  [CommandHelp.run, CommandFlags.run],
  [CommandHelp.importDoc, CommandFlags.importFlags],
  [CommandHelp.status, CommandFlags.status],
  [CommandHelp.demo, CommandFlags.demo],
  [CommandHelp.schema, CommandFlags.schema],
  [CommandHelp.version, CommandFlags.version],
  [CommandHelp.approve, CommandFlags.approve],
  [CommandHelp.reject, CommandFlags.admin],
  [CommandHelp.suspend, CommandFlags.admin],
  [CommandHelp.resume, CommandFlags.admin]
]

/** What the admin commands take besides their flags: the id of a held change. */
const positional: Readonly<Record<string, Arguments.Positional>> = {
  [CommandHelp.approve.name]: { min: 0, max: 1, what: "one id", missing: "" },
  [CommandHelp.reject.name]: {
    min: 1,
    max: 1,
    what: "one id",
    missing: "name the held change by its id, as /api/status lists it"
  }
}

/** A command whose work, a module of `commands/`, is loaded only when it runs. */
const lazy = <Name extends string, C extends Command.Command.Config, E, R>(
  name: Name,
  flags: C,
  description: string,
  load: () => Promise<(flags: CommandFlags.Values<C>) => Effect.Effect<void, E, R>>
) =>
  Command.make(name, flags, (values) => Effect.flatMap(Effect.promise(load), (handle) => handle(values))).pipe(
    Command.withDescription(description)
  )

/**
 * Each command with its flags and its work. Named apart from withSubcommands, which would otherwise widen the
 * errors and requirements of each to any.
 */
const subcommands = [
  lazy(
    "validate",
    CommandFlags.validate,
    "Check the desired files offline; every error as file:line:column",
    () => import("./commands/validate.js").then((m) => m.handle)
  ),
  lazy(
    "plan",
    CommandFlags.plan,
    "Show what apply would do: exit 0 no changes, 2 changes pending, 1 error or refused",
    () => import("./commands/plan.js").then((m) => m.handle)
  ),
  lazy(
    "apply",
    CommandFlags.apply,
    "Make Code42 match the desired files: exit 0 converged, 1 error or refused",
    () => import("./commands/apply.js").then((m) => m.handle)
  ),
  lazy(
    "run",
    CommandFlags.run,
    "The daemon: reconcile at start, on every change to the desired files and every interval",
    () => import("./commands/run.js").then((m) => m.handle)
  ),
  lazy(
    "import",
    CommandFlags.importFlags,
    "Write the live tree as a valid orgs.yaml with uid pins",
    () => import("./commands/import.js").then((m) => m.handle)
  ),
  lazy(
    "status",
    CommandFlags.status,
    "Show the last runs, the snapshot's age and the pending changes",
    () => import("./commands/status.js").then((m) => m.handle)
  ),
  lazy(
    "demo",
    CommandFlags.demo,
    "A simulated Code42 tenant and the daemon on config/orgs.yaml, with a status page",
    () => import("./commands/demo.js").then((m) => m.handle)
  ),
  lazy(
    "schema",
    CommandFlags.schema,
    "Print the JSON Schema of orgs.yaml",
    () => import("./commands/schema.js").then((m) => m.handle)
  ),
  lazy("version", CommandFlags.version, "Print the version and build", () => import("./commands/version.js").then((m) => m.handle)),
  lazy(
    "approve",
    CommandFlags.approveArgs,
    "Approve held changes on the running daemon (ORGSYNC_ADMIN_TOKEN); a pass applies them",
    () => import("./commands/approve.js").then((m) => m.handle)
  ),
  lazy(
    "reject",
    CommandFlags.rejectArgs,
    "Reject a held change on the running daemon (ORGSYNC_ADMIN_TOKEN): it stays unapplied",
    () => import("./commands/reject.js").then((m) => m.handle)
  ),
  lazy(
    "suspend",
    CommandFlags.admin,
    "Stop the running daemon's writes; it still plans and shows (ORGSYNC_ADMIN_TOKEN)",
    () => import("./commands/suspend.js").then((m) => m.handle)
  ),
  lazy(
    "resume",
    CommandFlags.admin,
    "Let a suspended daemon write again; a pass starts (ORGSYNC_ADMIN_TOKEN)",
    () => import("./commands/resume.js").then((m) => m.handle)
  )
] as const

const orgsync = Command.make("orgsync").pipe(
  Command.withDescription("Keep a Code42 organization tree in step with YAML files kept in git"),
  Command.withSubcommands(subcommands)
)

/**
 * What the command line asks before any command runs: the usage (bare `orgsync`, exit 2), help, the version,
 * or a mistake in the flags, told in one sentence (exit 1); none when a command is to run.
 */
const answerAtOnce = (args: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const docs = commands.map(([doc]) => doc)
    if (args.length === 0) return yield* Effect.as(Effect.sync(() => process.stdout.write(Help.short(docs))), usage)
    const style = Style.make(Style.enabled(process.stdout, process.env, args))
    if (Arguments.wantsHelp(args)) {
      const command = commands.find(([doc]) => doc.name === args[Arguments.commandAt(args)])
      const text = command === undefined
        ? Help.root(Version.line, docs, style)
        : Help.command(command[0], Object.values(command[1]), style)
      return yield* Effect.as(Effect.sync(() => process.stdout.write(text)), ok)
    }
    const mistake = Arguments.check(
      args,
      commands.map(([doc, options]) => ({
        name: doc.name,
        flags: Help.flagLines(Object.values(options)),
        positional: positional[doc.name]
      }))
    )
    if (mistake !== undefined) return yield* Effect.as(Console.error(mistake), failure)
    if (args.slice(0, args.includes("--") ? args.indexOf("--") : undefined).includes("--version")) {
      return yield* Effect.as(Console.log(Version.line), ok)
    }
    return undefined
  })

/**
 * Whether the command of these arguments runs until a signal stops it (the daemon, the demo): for it SIGINT and
 * SIGTERM are a clean stop (exit 0), also before it began.
 */
export const stopsOnSignal = (args: ReadonlyArray<string>): boolean => {
  const name = args[Arguments.commandAt(args)]
  return name === CommandHelp.run.name || name === CommandHelp.demo.name
}

/** Runs the command line; answers the process exit code. Errors are printed as one clear line. */
export const run = (argv: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const answered = yield* answerAtOnce(argv.slice(2))
    if (answered !== undefined) return answered
    const code = yield* Ref.make(ok)
    return yield* Command.run(orgsync, { name: "orgsync", version: Version.version })(withoutNoColor(argv)).pipe(
      Effect.provideService(ExitCode, code),
      Effect.provide(Logging.commandLogging),
      Effect.zipRight(Ref.get(code)),
      // Validation errors of the desired files and of the command line are printed where they arise.
      Effect.catchIf(ValidationError.isValidationError, () => Effect.succeed(failure)),
      Effect.catchTags({
        DesiredInvalid: () => Effect.succeed(failure),
        CommandFailed: say,
        SettingsError: say,
        StateDbError: say,
        StateLocked: say,
        StateLockError: say,
        ReconcileError: say
      }),
      // Code42's answers to import, and what the platform reports, by their own message.
      Effect.catchAll((error) => say({ message: messageOf(error) })),
      // What went wrong beneath (a module of the command that cannot load, a native driver missing): one line too.
      Effect.catchAllDefect((defect) => say({ message: messageOf(defect) }))
    )
  })

/** `--no-color` is read by Style, from the process's arguments; @effect/cli would take it for an unknown one. */
const withoutNoColor = (argv: ReadonlyArray<string>) => {
  const end = argv.indexOf("--")
  return argv.filter((arg, i) => arg !== "--no-color" || (end !== -1 && i > end))
}

/** One human sentence on stderr (each line of it prefixed), and exit 1. */
const say = (error: { readonly message: string }) =>
  Effect.as(Console.error(error.message.split("\n").map((line) => `orgsync: ${line}`).join("\n")), failure)

const messageOf = (error: unknown): string =>
  typeof error === "string"
    ? error
    : typeof error === "object" && error !== null && "message" in error
    ? String(error.message)
    : String(error)
