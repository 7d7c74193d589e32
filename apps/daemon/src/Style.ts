/**
 * Colour and emphasis for a person at a terminal: never when the output is not a terminal, when `NO_COLOR` is
 * set (https://no-color.org), when `TERM=dumb`, or with `--no-color`.
 */
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
