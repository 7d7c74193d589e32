/**
 * The Code42 organization as the API returns it. Decoders ignore fields they do not know: the server adds
 * fields over time.
 */
import { Schema } from "effect"

export class Org extends Schema.Class<Org>("Org")({
  orgId: Schema.Number,
  orgUid: Schema.String,
  orgGuid: Schema.String,
  orgName: Schema.String,
  orgExtRef: Schema.NullishOr(Schema.String),
  notes: Schema.NullishOr(Schema.String),
  status: Schema.String,
  active: Schema.Boolean,
  blocked: Schema.Boolean,
  parentOrgId: Schema.NullishOr(Schema.Number),
  parentOrgUid: Schema.NullishOr(Schema.String),
  parentOrgGuid: Schema.NullishOr(Schema.String),
  type: Schema.optional(Schema.String),
  classification: Schema.optional(Schema.String),
  creationDate: Schema.optional(Schema.String),
  modificationDate: Schema.optional(Schema.String),
  deactivationDate: Schema.optional(Schema.NullOr(Schema.String)),
  registrationKey: Schema.optional(Schema.NullOr(Schema.String)),
  userCount: Schema.optional(Schema.Number),
  computerCount: Schema.optional(Schema.Number),
  orgCount: Schema.optional(Schema.Number)
}) {}

/** One page of `GET /api/v1/Org`. */
export class OrgPage extends Schema.Class<OrgPage>("OrgPage")({
  totalCount: Schema.Number,
  orgs: Schema.Array(Org)
}) {}

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
