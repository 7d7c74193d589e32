/**
 * The published Code42 API document's schemas and Code42's own recorded answers (test/fixtures, copied from
 * the real record), and a check of a body against a schema: exactly its properties, each of its type.
 */
import { readFileSync } from "node:fs"

interface Property {
  readonly type?: string
  readonly format?: string
  readonly $ref?: string
  readonly items?: Property
}

export interface Definition {
  readonly properties: Readonly<Record<string, Property>>
  readonly required?: ReadonlyArray<string>
}

interface RealAnswer {
  readonly request: string | null
  readonly response: { readonly status: number | null; readonly body: string }
}

export const realAnswer = (name: string): RealAnswer =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), "utf8"))

/** A definition of the API document, e.g. `OrgResponse`. */
export const definition = (name: string): Definition => JSON.parse(realAnswer(`spec-def-${name}`).response.body)

const typeOf = (value: unknown): string =>
  value === null
    ? "null"
    : Array.isArray(value)
    ? "array"
    : typeof value === "number"
    ? Number.isInteger(value) ? "integer" : "number"
    : typeof value === "object"
    ? "object"
    : typeof value

/**
 * What in `body` departs from `schema`: a property it lacks or adds, or one of another type. Any value may be
 * null (Code42's own answers carry `null` for an empty `notes`, `deactivationDate`, or the top-level org's
 * parent); a `$ref` is checked against the referenced definition.
 */
export const departures = (body: unknown, schema: Definition, at = "body"): ReadonlyArray<string> => {
  if (typeOf(body) !== "object") return [`${at} is ${typeOf(body)}, not an object`]
  const record = body as Record<string, unknown>
  const found: Array<string> = []
  for (const key of Object.keys(record)) {
    if (!(key in schema.properties)) found.push(`${at}.${key} is not published`)
  }
  for (const [key, property] of Object.entries(schema.properties)) {
    if (!(key in record)) {
      found.push(`${at}.${key} is missing`)
      continue
    }
    found.push(...propertyDepartures(record[key], property, `${at}.${key}`))
  }
  return found
}

const propertyDepartures = (value: unknown, property: Property, at: string): ReadonlyArray<string> => {
  if (property.$ref !== undefined) return departures(value, definition(property.$ref.split("/").pop()!), at)
  if (property.type === "array") {
    if (!Array.isArray(value)) return [`${at} is ${typeOf(value)}, not an array`]
    return value.flatMap((item, i) => propertyDepartures(item, property.items ?? {}, `${at}[${i}]`))
  }
  const actual = typeOf(value)
  const fits = actual === property.type || actual === "null"
  return fits ? [] : [`${at} is ${actual}, not ${property.type}`]
}
