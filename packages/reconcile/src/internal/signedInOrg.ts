/**
 * The signed-in user's org, which orgsync never blocks or deactivates: asked of Code42 by a pass that restricts
 * something, and kept in the state database for plans made offline.
 */
import type { Code42Error } from "@c42/core"
import { Effect, Option, Schema } from "effect"
import { OrgApi } from "../OrgApi.js"
import { StateDb, type StateDbError, StateReader } from "../StateDb.js"

const key = "signed_in_org"

const Record = Schema.parseJson(Schema.Struct({ orgUid: Schema.NullOr(Schema.String) }))

/**
 * Asks Code42 for the signed-in user's org (API clients have none) and remembers it for offline plans. Asked
 * afresh in every pass that blocks or deactivates: the user may have been moved since the last one. The
 * gateway family cannot tell (`UnsupportedByApiError`): a signed-in user's pass there fails before any
 * deactivation rather than risk the user's own org, which is why orgsync signs in to that family with API
 * clients only.
 */
export const ask = (
  principal: string,
  signedInUser: boolean
): Effect.Effect<string | undefined, Code42Error.Code42Error | StateDbError, OrgApi | StateDb> =>
  Effect.gen(function*() {
    const orgUid = signedInUser
      ? yield* Effect.flatMap(OrgApi, (api) => api.currentOrgUid)
      : null
    yield* Effect.flatMap(StateDb, (db) => db.setMeta(key, JSON.stringify({ principal, orgUid })))
    return orgUid ?? undefined
  })

/** The signed-in user's org as last seen; a record that does not decode is unknown. */
export const last = Effect.map(
  Effect.flatMap(StateReader, (db) => db.getMeta(key)),
  Option.flatMap((value) =>
    Option.flatMap(Schema.decodeUnknownOption(Record)(value), (record) => Option.fromNullable(record.orgUid))
  )
)
