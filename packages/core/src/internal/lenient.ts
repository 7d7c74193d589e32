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

export const integer = (value: unknown): number | undefined => {
  const read = typeof value === "string" && /^\s*-?\d{1,15}\s*$/.test(value) ? Number(value) : value
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
export const defined = <A extends object>(fields: A): A =>
  Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as A

/** A schema reading `read` from an answer's body and building the client's value from it. */
export const fromApi = <A, I, E>(
  target: Schema.Schema<A>,
  read: Schema.Schema<I, E>,
  build: (fields: I) => A
): Schema.Schema<A, unknown> =>
  Schema.transformOrFail(Schema.Unknown, target, {
    strict: true,
    decode: (input, options) => Effect.map(ParseResult.decodeUnknown(read)(input, options), build),
    encode: (value) => ParseResult.succeed(value)
  })

