/**
 * What identifies an org in an answer's body (`orgId`, `orgUid`, `orgName`), read by the schema `Body` and,
 * for bodies of the usual shape, by `quickBody` with plain checks: a list page holds a thousand orgs, and the
 * schema's machinery costs kilobytes an org.
 */
import { Schema } from "effect"
import { integer, integerText } from "./lenient.js"
import * as OrgFields from "./orgFields.js"

/** An integer, also when sent as a numeric string (`"12345"`). */
const Id = Schema.Union(
  Schema.Int,
  Schema.compose(Schema.String.pipe(Schema.pattern(integerText)), Schema.NumberFromString)
).annotations({ identifier: "an integer id" })

/** A uid: a string (not always digits, e.g. "ADMIN"), or a number the server sent unquoted. */
const Uid = Schema.Union(
  Schema.String.pipe(Schema.minLength(1)),
  Schema.transform(Schema.Int, Schema.String, { strict: true, decode: String, encode: Number })
).annotations({ identifier: "an org uid" })

/** The fields an org is identified by; every other field is read leniently by `normalize`. */
export const Body = Schema.Struct({
  orgId: Id,
  orgUid: Uid,
  orgGuid: Schema.optional(Schema.Unknown),
  ...OrgFields.body,
  status: Schema.optional(Schema.Unknown),
  blocked: Schema.optional(Schema.Unknown),
  parentOrgId: Schema.optional(Schema.Unknown),
  parentOrgUid: Schema.optional(Schema.Unknown),
  type: Schema.optional(Schema.Unknown),
  classification: Schema.optional(Schema.Unknown)
})

/** What `Body` reads from a body whose identifying fields are of the usual types; `undefined` for any other. */
export const quickBody = (input: unknown): typeof Body.Type | undefined => {
  if (typeof input !== "object" || input === null) return undefined
  const body = input as Record<string, unknown>
  const id = body.orgId
  const uid = body.orgUid
  // As `Id` reads it: a number only when exact (`Schema.Int`), digits as `integer` reads them.
  const orgId = typeof id === "number" ? (Number.isSafeInteger(id) ? id : undefined) : integer(id)
  const orgUid = typeof uid === "string"
    ? (uid.length > 0 ? uid : undefined)
    : typeof uid === "number" && Number.isSafeInteger(uid)
    ? String(uid)
    : undefined
  if (orgId === undefined || orgUid === undefined || typeof body.orgName !== "string") return undefined
  return { ...(body as Omit<typeof Body.Type, "orgId" | "orgUid">), orgId, orgUid }
}
