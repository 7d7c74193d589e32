/**
 * Checks a command line against the commands and their flags before @effect/cli parses it, so that each
 * mistake is told in one sentence: an unknown command or flag with the nearest one, a value that is none of a
 * flag's choices, a flag without its value, an argument a command does not take or one it lacks.
 */
import { AutoCorrect, CliConfig } from "@effect/cli"

export interface Flag {
  readonly names: ReadonlyArray<string>
  /** What it takes (`PATH`, `text|markdown|json`); none for a switch. */
  readonly value: string | undefined
}

/** The arguments a command takes besides its flags: how many at least and at most, and what they are. */
export interface Positional {
  readonly min: number
  readonly max: number
  /** Said when one is missing ("name the held change by its id") and when too many are given ("one id"). */
  readonly missing: string
  readonly what: string
}

export interface Known {
  readonly name: string
  readonly flags: ReadonlyArray<Flag>
  /** None: the command takes no argument. */
  readonly positional?: Positional | undefined
}

/** What every command and orgsync itself accept. */
export const global: ReadonlyArray<Flag> = [
  { names: ["-h", "--help"], value: undefined },
  { names: ["--version"], value: undefined },
  { names: ["--completions"], value: "sh|bash|fish|zsh" },
  { names: ["--log-level"], value: "all|trace|debug|info|warning|error|fatal|none" },
  { names: ["--no-color"], value: undefined }
]

/** The values of a flag that takes one of a few words; none for a flag that takes any text. */
const choices = (flag: Flag): ReadonlyArray<string> | undefined =>
  flag.value !== undefined && /^[a-z0-9-]+(\|[a-z0-9-]+)+$/.test(flag.value) ? flag.value.split("|") : undefined

const spell = (values: ReadonlyArray<string>) => `${values.slice(0, -1).join(", ")} or ${values[values.length - 1]}`

/** The nearest of `candidates`, when it is near enough to be what was meant. */
export const nearest = (word: string, candidates: ReadonlyArray<string>): string | undefined => {
  const prefixed = candidates.filter((c) => c.startsWith(word) || word.startsWith(c))
  if (prefixed.length === 1) return prefixed[0]
  const scored = candidates
    .map((candidate) => ({ candidate, distance: AutoCorrect.levensteinDistance(word, candidate, CliConfig.defaultConfig) }))
    .sort((a, b) => a.distance - b.distance)
  const best = scored[0]
  return best !== undefined && best.distance <= Math.max(2, Math.floor(word.length / 3)) ? best.candidate : undefined
}

const didYouMean = (suggestion: string | undefined) => (suggestion === undefined ? "" : ` (did you mean ${suggestion}?)`)

/**
 * The flags after the command (or after `orgsync` itself), each known and given what it takes; what is left
 * are the arguments.
 */
const checkFlags = (
  where: string,
  args: ReadonlyArray<string>,
  flags: ReadonlyArray<Flag>
): { readonly mistake: string } | { readonly positional: ReadonlyArray<string> } => {
  const names = flags.flatMap((flag) => flag.names)
  const positional: Array<string> = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === "--") return { positional: [...positional, ...args.slice(i + 1)] }
    if (!arg.startsWith("-") || arg === "-") {
      positional.push(arg)
      continue
    }
    const eq = arg.indexOf("=")
    const name = eq > 0 ? arg.slice(0, eq) : arg
    const flag = flags.find((f) => f.names.includes(name))
    if (flag === undefined) {
      return { mistake: `${where}: unknown flag ${name}${didYouMean(nearest(name, names))}. Run ${where} --help for its flags.` }
    }
    if (flag.value === undefined) continue
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i]
    if (value === undefined) return { mistake: `${where}: ${name} expects a value (${flag.value})` }
    if (eq < 0 && names.includes(value)) {
      return { mistake: `${where}: ${name} expects a value (${flag.value}), not the flag ${value}` }
    }
    const allowed = choices(flag)
    if (allowed !== undefined && !allowed.includes(value)) {
      return { mistake: `${where}: ${name}: expected ${spell(allowed)}, got ${value}` }
    }
  }
  return { positional }
}

/** Too many arguments or too few for what the command takes. */
const checkPositional = (where: string, given: ReadonlyArray<string>, takes: Positional | undefined) => {
  const max = takes?.max ?? 0
  if (given.length > max) {
    return `${where}: unexpected argument ${given[max]}: it takes ${takes === undefined ? "none" : `at most ${takes.what}`}`
  }
  if (takes !== undefined && given.length < takes.min) return `${where}: ${takes.missing}`
  return undefined
}

/**
 * Where the command's name is in `args`: past the flags of orgsync itself that may come before it
 * (`orgsync --log-level debug plan`), each with its value; `args.length` when no name follows them.
 */
export const commandAt = (args: ReadonlyArray<string>): number => {
  let at = 0
  while (at < args.length && args[at]!.startsWith("-") && args[at] !== "--") {
    const arg = args[at]!
    const flag = global.find((f) => f.names.includes(arg))
    at += flag?.value !== undefined ? 2 : 1
  }
  return Math.min(at, args.length)
}

/** The mistake in `args` (what follows `orgsync`), in one sentence; none when they are well formed. */
export const check = (args: ReadonlyArray<string>, commands: ReadonlyArray<Known>): string | undefined => {
  const at = commandAt(args)
  const leading = checkFlags("orgsync", args.slice(0, at), global)
  if ("mistake" in leading) return leading.mistake
  const [first, ...rest] = args.slice(at)
  if (first === undefined || first === "--") return undefined
  const command = commands.find((c) => c.name === first)
  if (command === undefined) {
    return `orgsync: unknown command ${first}${didYouMean(nearest(first, commands.map((c) => c.name)))}. ` +
      `Commands: ${commands.map((c) => c.name).join(", ")}.`
  }
  const where = `orgsync ${first}`
  const checked = checkFlags(where, rest, [...command.flags, ...global])
  return "mistake" in checked ? checked.mistake : checkPositional(where, checked.positional, command.positional)
}

/** Whether `args` ask for help (before any `--`). */
export const wantsHelp = (args: ReadonlyArray<string>): boolean => {
  const end = args.indexOf("--")
  return (end === -1 ? args : args.slice(0, end)).some((arg) => arg === "--help" || arg === "-h")
}
