/**
 * The org fields every endpoint family sends alike (a gateway org has only these and its `orgGuid`): what an
 * answer's body may hold for them and how they are read from it, for `Org` and `GatewayOrg` both.
 */
import { Schema } from "effect"
import { flag, integer, present, text } from "./lenient.js"

const loose = Schema.optional(Schema.Unknown)

/** Only the name is checked; every other field is read leniently by `read`. */
export const body = {
  orgName: Schema.String,
  orgExtRef: loose,
  notes: loose,
  parentOrgGuid: loose,
  active: loose,
  creationDate: loose,
  modificationDate: loose,
  deactivationDate: loose,
  registrationKey: loose,
  userCount: loose,
  computerCount: loose,
  orgCount: loose
}

export const names = Object.keys(body) as Array<keyof typeof body>

/** Dates are kept as sent: their format varies between servers and endpoints. */
export const read = (fields: Schema.Struct.Type<typeof body>) => ({
  orgName: fields.orgName,
  orgExtRef: text(fields.orgExtRef),
  notes: text(fields.notes),
  parentOrgGuid: fields.parentOrgGuid === null ? null : present(fields.parentOrgGuid),
  active: flag(fields.active),
  creationDate: text(fields.creationDate),
  modificationDate: text(fields.modificationDate),
  deactivationDate: text(fields.deactivationDate),
  registrationKey: text(fields.registrationKey),
  userCount: integer(fields.userCount),
  computerCount: integer(fields.computerCount),
  orgCount: integer(fields.orgCount)
})

/**
 * Whether an org is active by its deactivation date alone, for an answer that gives no other word of it: a
 * date means deactivated, null none; nothing when the answer has no such field.
 */
export const activeByDate = (fields: Schema.Struct.Type<typeof body>): boolean | undefined => {
  const date = text(fields.deactivationDate)
  return date === undefined ? undefined : date === null || date.trim() === ""
}
