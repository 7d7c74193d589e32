/**
 * The behaviours in which real Code42 servers differ from one another (code42-api.md section 9), so that
 * clients can be tested against each of them. The defaults follow the record where it is firm; each of these
 * is something some servers did and others may not. They change at run time (`POST /__sim/rules`).
 */
import { Schema } from "effect"

/** Where a name must be unique: nowhere, among its siblings, or in the whole tenant (`ORG_DUPLICATE`). */
export const UniqueNames = Schema.Literal("none", "siblings", "tenant")
export type UniqueNames = typeof UniqueNames.Type

export const ServerRules = Schema.Struct({
  /** Deactivation renames the org and its descendants `<name> deactivated <ISO date>`; reactivation keeps it. */
  renameOnDeactivate: Schema.Boolean,
  uniqueNames: UniqueNames,
  /**
   * Org bodies without `orgGuid` and `parentOrgGuid`, as 2020 and older servers sent them; the guid-addressed
   * routes do not exist then.
   */
  legacyBodies: Schema.Boolean,
  /** v1 validation errors as `{"data": [...]}` rather than the bare array. */
  errorsInData: Schema.Boolean,
  /** Validation errors of the unversioned family with an empty body and the array in the HTTP reason phrase. */
  errorsInReasonPhrase: Schema.Boolean
})
export interface ServerRules extends Schema.Schema.Type<typeof ServerRules> {}

/** The body of `POST /__sim/rules`: any subset. */
export const ServerRulesPatch = Schema.partial(ServerRules)

export const defaults: ServerRules = {
  renameOnDeactivate: false,
  uniqueNames: "none",
  legacyBodies: false,
  errorsInData: false,
  errorsInReasonPhrase: false
}
