/**
 * The initial state of a simulated tenant: its org tree (the top-level org with nested children) and the
 * local accounts that can sign in. `--seed FILE`, `POST /__sim/reset` and `Simulator.start({ seed })` all take
 * this shape.
 *
 * An org's `blocked` and `active` default to its parent's, so a blocked or deactivated subtree is written by
 * marking only its root. An active org under an inactive parent cannot exist (section 8 refuses both ways of
 * getting there) and is rejected.
 */
import { Schema } from "effect"

/** One org of the seed tree. `userCount` and `computerCount` feed the `incCounts` answers. */
export interface SeedOrg {
  readonly orgName: string
  readonly orgUid?: string | undefined
  readonly orgExtRef?: string | null | undefined
  readonly notes?: string | null | undefined
  readonly blocked?: boolean | undefined
  readonly active?: boolean | undefined
  readonly userCount?: number | undefined
  readonly computerCount?: number | undefined
  readonly children?: ReadonlyArray<SeedOrg> | undefined
}

export const SeedOrg: Schema.Schema<SeedOrg> = Schema.Struct({
  orgName: Schema.String,
  orgUid: Schema.optional(Schema.String),
  orgExtRef: Schema.optional(Schema.NullOr(Schema.String)),
  notes: Schema.optional(Schema.NullOr(Schema.String)),
  blocked: Schema.optional(Schema.Boolean),
  active: Schema.optional(Schema.Boolean),
  userCount: Schema.optional(Schema.NonNegativeInt),
  computerCount: Schema.optional(Schema.NonNegativeInt),
  children: Schema.optional(Schema.Array(Schema.suspend((): Schema.Schema<SeedOrg> => SeedOrg)))
})

/** A local account. `totpSecret` (base32) turns on two-factor; `orgUid` defaults to the top-level org. */
export const SeedUser = Schema.Struct({
  username: Schema.String,
  password: Schema.String,
  totpSecret: Schema.optional(Schema.String),
  orgUid: Schema.optional(Schema.String)
})
export type SeedUser = typeof SeedUser.Type

export const Seed = Schema.Struct({
  org: SeedOrg,
  users: Schema.optional(Schema.Array(SeedUser))
})
export type Seed = typeof Seed.Type

/** The default tenant: a lone top-level org. */
export const empty: Seed = { org: { orgName: "Code42 Tenant" } }

/** Reads a seed from JSON text, for `--seed FILE` and `POST /__sim/reset`. */
export const decodeJson = Schema.decodeUnknown(Schema.parseJson(Seed))
