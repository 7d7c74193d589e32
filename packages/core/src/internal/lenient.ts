/**
 * Reading the fields of an answer that the client does not require: each helper returns what it can read
 * and `undefined` for what it cannot, so that an odd value never fails a whole answer.
 */
import { Effect, ParseResult, Schema } from "effect"

/** Text, `null` when the server sent null, `undefined` when it sent nothing usable. */
export const text = (value: unknown): string | null | undefined =>
  typeof value === "string"
    ? value
    : value === null
    ? null
    : typeof value === "number" && Number.isFinite(value)
    ? String(value)
    : undefined

/** Text that is absent rather than null (guids, names of classes). */
export const present = (value: unknown): string | undefined => {
  const read = text(value)
  return read === null || read === "" ? undefined : read
}

/** An integer as text: digits that a double holds exactly, with spaces around them allowed. */
export const integerText = /^\s*-?\d{1,15}\s*$/

export const integer = (value: unknown): number | undefined => {
  const read = typeof value === "string" && integerText.test(value) ? Number(value) : value
  return typeof read === "number" && Number.isInteger(read) ? read : undefined
}

/** A JSON boolean, `true`/`false` as text in any case (`"True"` as Python prints it), or 1/0. */
export const flag = (value: unknown): boolean | undefined => {
  if (typeof value === "boolean") return value
  if (value === 1 || value === 0) return value === 1
  const word = typeof value === "string" ? value.trim().toLowerCase() : undefined
  return word === "true" ? true : word === "false" ? false : undefined
}

/** Drops the keys whose value is `undefined`, so that an org compares and prints as the server sent it. */
export const defined = <A extends object>(fields: A): A => {
  const kept: Record<string, unknown> = {}
  for (const key of Object.keys(fields)) {
    const value = (fields as Record<string, unknown>)[key]
    if (value !== undefined) kept[key] = value
  }
  return kept as A
}

/**
 * A schema reading `read` from an answer's body and building the client's value from it. `quick`, when given,
 * reads a body of the usual shape with plain checks, as `read` would read it: a list page holds a thousand
 * orgs, and the schema's machinery costs kilobytes an org. It answers `undefined` for any other body, which
 * `read` then reads, with its messages.
 */
export const fromApi = <A, I, E>(
  target: Schema.Schema<A>,
  read: Schema.Schema<I, E>,
  build: (fields: I) => A,
  quick?: (input: unknown) => I | undefined
): Schema.Schema<A, unknown> =>
  Schema.transformOrFail(Schema.Unknown, target, {
    strict: true,
    decode: (input, options) => {
      const fields = quick?.(input)
      return fields === undefined
        ? Effect.map(ParseResult.decodeUnknown(read)(input, options), build)
        : ParseResult.succeed(build(fields))
    },
    encode: (value) => ParseResult.succeed(value)
  })

