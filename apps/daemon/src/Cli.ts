/**
 * The `orgsync` command line: the root command over one module per command (`commands/`), what is answered
 * before any command runs (usage, help, version, mistakes in the flags), and the exit code of a run.
 */
import { Command, type Options, ValidationError } from "@effect/cli"
import { Console, Effect, Ref } from "effect"
import * as Arguments from "./Arguments.js"
import * as CommandHelp from "./CommandHelp.js"
import * as apply from "./commands/apply.js"
import * as approve from "./commands/approve.js"
import * as demo from "./commands/demo.js"
import * as importCommand from "./commands/import.js"
import * as plan from "./commands/plan.js"
import * as reject from "./commands/reject.js"
import * as resume from "./commands/resume.js"
import * as runCommand from "./commands/run.js"
import * as schema from "./commands/schema.js"
import * as status from "./commands/status.js"
import * as suspend from "./commands/suspend.js"
import * as validate from "./commands/validate.js"
import * as version from "./commands/version.js"
import { ExitCode, failure, ok, usage } from "./ExitCode.js"
import * as Help from "./Help.js"
import * as Logging from "./Logging.js"
import * as Style from "./Style.js"
import * as Version from "./Version.js"

/** Each command, its flags and its help, in the order help lists them. */
const commands: ReadonlyArray<readonly [Help.Doc, Record<string, Options.Options<unknown>>]> = [
  [CommandHelp.validate, validate.options],
  [CommandHelp.plan, plan.options],
  [CommandHelp.apply, apply.options],
  [CommandHelp.run, runCommand.options],
  [CommandHelp.importDoc, importCommand.options],
  [CommandHelp.status, status.options],
  [CommandHelp.demo, demo.options],
  [CommandHelp.schema, schema.options],
  [CommandHelp.version, version.options],
  [CommandHelp.approve, approve.options],
  [CommandHelp.reject, reject.options],
  [CommandHelp.suspend, suspend.options],
  [CommandHelp.resume, resume.options]
]

const orgsync = Command.make("orgsync").pipe(
  Command.withDescription("Keep a Code42 organization tree in step with YAML files kept in git"),
  Command.withSubcommands([
    validate.command,
    plan.command,
    apply.command,
    runCommand.command,
    importCommand.command,
    status.command,
    demo.command,
    schema.command,
    version.command,
    approve.command,
    reject.command,
    suspend.command,
    resume.command
  ])
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
      const command = commands.find(([doc]) => doc.name === args[0])
      const text = command === undefined
        ? Help.root(Version.line, docs, style)
        : Help.command(command[0], Object.values(command[1]), style)
      return yield* Effect.as(Effect.sync(() => process.stdout.write(text)), ok)
    }
    const mistake = Arguments.check(
      args,
      commands.map(([doc, options]) => ({ name: doc.name, flags: Help.flagLines(Object.values(options)) }))
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
export const stopsOnSignal = (args: ReadonlyArray<string>): boolean =>
  args[0] === CommandHelp.run.name || args[0] === CommandHelp.demo.name

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
      Effect.catchAll((error) => say({ message: messageOf(error) }))
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
