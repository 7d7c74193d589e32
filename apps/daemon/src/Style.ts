/**
 * Colour and emphasis for a person at a terminal: never when the output is not a terminal, when `NO_COLOR` is
 * set (https://no-color.org), when `TERM=dumb`, or with `--no-color`.
 */
import type { PlanFormat } from "@c42/reconcile"

export interface Style {
  readonly bold: (text: string) => string
  readonly green: (text: string) => string
  readonly yellow: (text: string) => string
  readonly red: (text: string) => string
}

const sgr = (code: string) => (text: string) => `\u001b[${code}m${text}\u001b[0m`

const plain: Style = { bold: (t) => t, green: (t) => t, yellow: (t) => t, red: (t) => t }

const ansi: Style = { bold: sgr("1"), green: sgr("32"), yellow: sgr("33"), red: sgr("31") }

/** Whether to colour what goes to `stream`. */
export const enabled = (
  stream: { readonly isTTY?: boolean | undefined },
  env: Readonly<Record<string, string | undefined>>,
  argv: ReadonlyArray<string>
): boolean =>
  stream.isTTY === true && (env["NO_COLOR"] ?? "") === "" && env["TERM"] !== "dumb" && !argv.includes("--no-color")

export const make = (colour: boolean): Style => (colour ? ansi : plain)

/** The style of what orgsync prints to stdout. */
export const stdout = (): Style => make(enabled(process.stdout, process.env, process.argv))

/** The style of what orgsync writes to the terminal itself (`/dev/tty`). */
export const terminal = (): Style => make(enabled({ isTTY: true }, process.env, process.argv))

/** A plan's rows by what they do: + green, ~ and ^ yellow, - red; refusals and conflicts red. */
export const plan = (style: Style): PlanFormat.Paint => (tone, text) =>
  tone === "add" ? style.green(text) : tone === "change" ? style.yellow(text) : style.red(text)
