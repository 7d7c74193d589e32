/**
 * The help of orgsync and of each command, for a person at a terminal 100 columns wide: how to call it, its
 * flags (read from the command's own options), its exit codes, the environment it reads and two examples.
 */
import { HelpDoc, Options, type Usage } from "@effect/cli"
import type { Span } from "@effect/cli/HelpDoc/Span"
import { Option } from "effect"
import * as Settings from "./Settings.js"
import * as Style from "./Style.js"

export const width = 100

/** What a command's help says beyond its flags. */
export interface Doc {
  readonly name: string
  readonly summary: string
  readonly exits: ReadonlyArray<readonly [code: number, meaning: string]>
  readonly environment: ReadonlyArray<string>
  /** A command line and what it does. */
  readonly examples: readonly [readonly [string, string], readonly [string, string]]
}

/** One line per flag: its names and value, and what it is for. */
export interface FlagLine {
  readonly names: ReadonlyArray<string>
  /** What the flag takes (`PATH`, `text|markdown|json`); none for a switch. */
  readonly value: string | undefined
  readonly description: string
}

/** The flags an `Options` stands for, in order, with what each takes. */
export const named = (usage: Usage.Usage): ReadonlyArray<{ names: ReadonlyArray<string>; value: string | undefined }> => {
  switch (usage._tag) {
    case "Named":
      return [{
        names: usage.names,
        value: Option.getOrUndefined(Option.map(usage.acceptedValues, (v) => v.replace(/ \| /g, "|")))
      }]
    case "Optional":
    case "Repeated":
      return named(usage.usage)
    case "Concat":
    case "Alternation":
      return [...named(usage.left), ...named(usage.right)]
    default:
      return []
  }
}

const spanText = (span: Span): string =>
  span._tag === "Text" || span._tag === "URI"
    ? span.value
    : span._tag === "Sequence"
    ? spanText(span.left) + spanText(span.right)
    : spanText(span.value)

const paragraphs = (doc: HelpDoc.HelpDoc): ReadonlyArray<string> =>
  doc._tag === "Paragraph"
    ? [spanText(doc.value)]
    : doc._tag === "Sequence"
    ? [...paragraphs(doc.left), ...paragraphs(doc.right)]
    : doc._tag === "DescriptionList"
    ? doc.definitions.flatMap(([, block]) => paragraphs(block))
    : []

// What @effect/cli says of every flag of a kind, rather than of this flag.
const generic = /^(A user-defined piece of text\.|This setting is optional\.|A true or false value\.|One of the following: .*|An integer\.|A floating point number\.|This option can be set from environment variables\.)$/

/** The help line of each flag: the description it was given, without @effect/cli's generic lines. */
export const flagLines = (options: Iterable<Options.Options<unknown>>): ReadonlyArray<FlagLine> =>
  [...options].flatMap((option) => {
    const description = paragraphs(Options.getHelp(option)).filter((text) => !generic.test(text)).join(" ")
    return named(Options.getUsage(option)).map((flag) => ({ ...flag, description }))
  })

/** Words of `text` in lines at most `room` wide. */
export const wrap = (text: string, room: number): ReadonlyArray<string> => {
  const lines: Array<string> = []
  let line = ""
  for (const word of text.split(/[ \n]+/).filter((w) => w !== "")) {
    if (line !== "" && line.length + 1 + word.length > room) {
      lines.push(line)
      line = word
    } else {
      line = line === "" ? word : `${line} ${word}`
    }
  }
  return line === "" ? lines : [...lines, line]
}

/** Two columns: the left one as wide as its widest entry (at most 30), the right one wrapped to fit. */
export const columns = (rows: ReadonlyArray<readonly [string, string]>, indent = 2): ReadonlyArray<string> => {
  const left = Math.min(30, Math.max(...rows.map(([name]) => name.length)))
  const room = width - indent - left - 2
  return rows.flatMap(([name, text]) => {
    const lines = wrap(text, room)
    const pad = " ".repeat(indent + left + 2)
    return name.length > left
      ? [`${" ".repeat(indent)}${name}`, ...lines.map((line) => pad + line)]
      : lines.length === 0
      ? [`${" ".repeat(indent)}${name}`]
      : [
        `${" ".repeat(indent)}${name.padEnd(left)}  ${lines[0]}`,
        ...lines.slice(1).map((line) => pad + line)
      ]
  })
}

const flagName = (flag: { names: ReadonlyArray<string>; value: string | undefined }) =>
  `${flag.names.join(", ")}${flag.value === undefined ? "" : ` ${flag.value}`}`

/** `orgsync <command> [--flag VALUE]...`, wrapped under itself. */
const usageLines = (name: string, flags: ReadonlyArray<FlagLine>) => {
  const head = `orgsync ${name}`
  const lines = wrap(flags.map((flag) => `[${flagName(flag).replace(/ /g, "\u00a0")}]`).join(" "), width - head.length - 8)
  if (lines.length === 0) return [`Usage: ${head}`]
  return lines.map((line, i) => `${i === 0 ? `Usage: ${head}` : " ".repeat(head.length + 7)} ${line}`.replace(/\u00a0/g, " "))
}

/** The help of one command. */
export const command = (doc: Doc, options: Iterable<Options.Options<unknown>>, style: Style.Style): string => {
  const flags = flagLines(options)
  const heading = (text: string) => style.bold(text)
  return [
    ...usageLines(doc.name, flags),
    "",
    ...wrap(doc.summary, width),
    "",
    ...(flags.length === 0 ? [] : [
      heading("Flags:"),
      ...columns(flags.map((flag) => [flagName(flag), flag.description])),
      ""
    ]),
    heading("Exit codes:"),
    ...columns(doc.exits.map(([code, meaning]) => [String(code), meaning])),
    "",
    heading("Environment:"),
    ...(doc.environment.length === 0 ? ["  none"] : wrap(doc.environment.join(", "), width - 2).map((line) => `  ${line}`)),
    "",
    heading("Examples:"),
    ...doc.examples.flatMap(([line, what]) => [`  # ${what}`, `  ${line}`]),
    "",
    "Global flags (--help, --version, --completions, --no-color): see orgsync --help.",
    ""
  ].join("\n")
}

/** What `orgsync` alone prints: the commands and where to read more. */
export const short = (commands: ReadonlyArray<Pick<Doc, "name" | "summary">>): string =>
  [
    "Usage: orgsync <command> [flags]",
    "",
    ...wrap(`Commands: ${commands.map((c) => c.name).join(", ")}.`, width),
    "Run orgsync --help for what each does and the settings, orgsync <command> --help for a command.",
    ""
  ].join("\n")

/** `orgsync --help`: the commands, every setting once, the global flags. */
export const root = (
  /** The version line, `orgsync 0.2.0 (build ...)`. */
  version: string,
  commands: ReadonlyArray<Pick<Doc, "name" | "summary">>,
  style: Style.Style
): string => {
  const heading = (text: string) => style.bold(text)
  const settings = Object.values(Settings.table).map((setting) => [
    `--${setting.flag}${setting.placeholder === "" ? "" : ` ${setting.placeholder}`}`,
    setting.env,
    setting.file,
    setting.default ?? setting.unset ?? ""
  ])
  const widths = [0, 1, 2].map((i) => Math.max(...settings.map((row) => row[i]!.length)))
  return [
    "orgsync keeps a Code42 organization tree in step with YAML files kept in git.",
    version,
    "",
    "Usage: orgsync <command> [flags]",
    "",
    heading("Commands:"),
    ...columns(commands.map((c) => [c.name, c.summary])),
    "",
    heading("Settings") + " (flag, environment variable, settings file key, default; a flag wins over the",
    "environment, which wins over the file named by --config or ORGSYNC_CONFIG):",
    ...settings.map((row) => `  ${row.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell)).join("  ")}`),
    "",
    ...wrap(
      "Credentials come from the environment only: CODE42_USERNAME with CODE42_PASSWORD or CODE42_PASSWORD_FILE, " +
        "or CODE42_CLIENT_ID with CODE42_CLIENT_SECRET or CODE42_CLIENT_SECRET_FILE; for a two-factor account " +
        "CODE42_TOTP_SECRET (its authenticator secret) or CODE42_TOTP (one code, for one command).",
      width
    ),
    "",
    heading("Global flags:"),
    ...columns([
      ["-h, --help", "Show this help, or a command's (orgsync plan --help)"],
      ["--version", "Print the version and build (also: orgsync version)"],
      ["--completions bash|zsh|fish|sh", "Print a completion script for that shell"],
      ["--no-color", "No colour, as when the output is not a terminal, NO_COLOR is set or TERM=dumb"]
    ]),
    "",
    "Run orgsync <command> --help for a command's flags, exit codes, environment and examples.",
    ""
  ].join("\n")
}
