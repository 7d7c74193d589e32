/**
 * The Code42 organization, read from every shape the API has been seen to send (code42-api.md sections 4
 * and 9): with or without the envelope, guids, `status`, `classification`; ids as numbers or numeric
 * strings; dates in any format. Only what identifies an org is required (`orgId`, `orgUid`, `orgName`);
 * everything else is kept when it can be read and left out when it cannot. Unknown fields are ignored: the
 * server adds fields over time.
 */
import { Schema } from "effect"
import { Body, quickBody } from "./internal/orgBody.js"
import { defined, flag, fromApi, integer, present, text } from "./internal/lenient.js"
import * as OrgFields from "./internal/orgFields.js"

/** An org as the client hands it out: fields the server did not send are `undefined`. */
export class Org extends Schema.Class<Org>("Org")({
  orgId: Schema.Number,
  orgUid: Schema.String,
  /** Absent on bodies of 2020 and older servers: such an org is acted on through the id-addressed routes. */
  orgGuid: Schema.optional(Schema.String),
  orgName: Schema.String,
  orgExtRef: Schema.optional(Schema.NullOr(Schema.String)),
  notes: Schema.optional(Schema.NullOr(Schema.String)),
  /** "Active" or "Deactivated"; derived from `active` when the body has no `status`. */
  status: Schema.optional(Schema.String),
  /** Derived from `status` when the body has no `active`; `undefined` when the body says neither. */
  active: Schema.optional(Schema.Boolean),
  /** `undefined` when the body does not say. */
  blocked: Schema.optional(Schema.Boolean),
  parentOrgId: Schema.optional(Schema.NullOr(Schema.Number)),
  parentOrgUid: Schema.optional(Schema.NullOr(Schema.String)),
  parentOrgGuid: Schema.optional(Schema.NullOr(Schema.String)),
  type: Schema.optional(Schema.String),
  classification: Schema.optional(Schema.String),
  /** Dates are kept as the server wrote them: their format varies between servers and endpoints. */
  creationDate: Schema.optional(Schema.NullOr(Schema.String)),
  modificationDate: Schema.optional(Schema.NullOr(Schema.String)),
  deactivationDate: Schema.optional(Schema.NullOr(Schema.String)),
  registrationKey: Schema.optional(Schema.NullOr(Schema.String)),
  userCount: Schema.optional(Schema.Number),
  computerCount: Schema.optional(Schema.Number),
  orgCount: Schema.optional(Schema.Number)
}) {}

/**
 * An `Org` of fields already read and checked, made as the class's constructor makes it but without its work:
 * the constructor copies the fields twice and looks for defaults `Org` does not have, which costs more than
 * reading the org from its answer, and a listing makes two orgs a listed org (read, then made lean).
 */
export const fromChecked = (fields: ConstructorParameters<typeof Org>[0]): Org =>
  Object.assign(Object.create(Org.prototype) as Org, fields)

/** Code42's status words: "Active" and "Deactivated" (any case). */
const activeOf = (status: string | undefined): boolean | undefined =>
  status === undefined ? undefined : /^active$/i.test(status) ? true : /^deactivated$/i.test(status) ? false : undefined

const normalize = (body: typeof Body.Type): Org => {
  const shared = OrgFields.read(body)
  const givenStatus = present(body.status)
  const active = shared.active ?? activeOf(givenStatus) ?? OrgFields.activeByDate(body)
  // Every field was checked by `Body` (or `quickBody`) and here. They are assigned rather than spread: V8 copies
  // a spread of these objects about a hundred times slower (a listing of 10,000 orgs took a quarter second more).
  return fromChecked(defined(Object.assign(shared, {
    orgId: body.orgId,
    orgUid: body.orgUid,
    orgGuid: present(body.orgGuid),
    status: givenStatus ?? (active === undefined ? undefined : active ? "Active" : "Deactivated"),
    active,
    blocked: flag(body.blocked),
    parentOrgId: body.parentOrgId === null ? null : integer(body.parentOrgId),
    parentOrgUid: text(body.parentOrgUid),
    type: present(body.type),
    classification: present(body.classification)
  })))
}

/** An org from an answer's body (already unwrapped from the envelope). */
export const OrgFromApi: Schema.Schema<Org, unknown> = fromApi(Schema.typeSchema(Org), Body, normalize, quickBody)

/** The count of a list page, also as a numeric string; `undefined` when the server gave none. */
const countOf = (value: unknown): number | undefined => {
  const count = integer(value)
  return count === undefined || count < 0 ? undefined : count
}

const Count = Schema.transform(Schema.Unknown, Schema.UndefinedOr(Schema.Number), {
  strict: true,
  decode: countOf,
  encode: (count) => count
})

/** One page of `GET /api/v1/Org`. */
export class OrgPage extends Schema.Class<OrgPage>("OrgPage")({
  /** How many orgs the whole listing holds, when the server said. */
  totalCount: Schema.optional(Schema.Number),
  orgs: Schema.Array(Org)
}) {}

const PageBody = Schema.Struct({ totalCount: Schema.optional(Count), orgs: Schema.Array(OrgFromApi) })

/** A page whose every org `quickBody` reads, read without the schema; `undefined` for any other. */
const quickPage = (input: unknown): typeof PageBody.Type | undefined => {
  if (typeof input !== "object" || input === null) return undefined
  const page = input as Record<string, unknown>
  if (!Array.isArray(page.orgs)) return undefined
  const orgs: Array<Org> = []
  for (const item of page.orgs) {
    const body = quickBody(item)
    if (body === undefined) return undefined
    orgs.push(normalize(body))
  }
  return { totalCount: countOf(page.totalCount), orgs }
}

/** A list page from an answer's body (already unwrapped from the envelope). */
export const OrgPageFromApi: Schema.Schema<OrgPage, unknown> = fromApi(
  Schema.typeSchema(OrgPage),
  PageBody,
  (page) => new OrgPage(defined({ totalCount: page.totalCount, orgs: page.orgs }), true),
  quickPage
)

/** The fields `createOrg` takes. */
export interface CreateOrg {
  readonly orgName: string
  readonly orgExtRef?: string | null | undefined
  readonly notes?: string | null | undefined
  /** No parent means a child of the tenant's top-level org. */
  readonly parentOrgUid?: string | undefined
}

/** The fields `updateOrg` changes; an omitted field stays as it is. */
export interface UpdateOrg {
  readonly orgName?: string | undefined
  readonly orgExtRef?: string | null | undefined
  readonly notes?: string | null | undefined
}
