/**
 * What every way of decoding a desired file's entries shares: the bounds on orgs, and each field checked on its
 * own against the file's schema.
 */
import { Schema } from "effect"
import * as DesiredSchema from "../DesiredSchema.js"

/** The deepest an org may sit (Code42 trees are a handful of levels deep; this bounds the recursion). */
export const MaxDepth = 50

/** The most orgs one file may define, counting those that aliases repeat. */
export const MaxOrgs = 200_000

const fieldCheck = <A, I>(schema: Schema.Schema<A, I>) => {
  const is = Schema.is(schema)
  return (value: unknown): A | undefined => (is(value) ? value : undefined)
}

/** Each field's value when it is valid on its own, else `undefined`. */
export const valid = {
  name: fieldCheck(DesiredSchema.Name),
  extRef: fieldCheck(DesiredSchema.ExtRef),
  notes: fieldCheck(DesiredSchema.Notes),
  status: fieldCheck(DesiredSchema.Status),
  uid: fieldCheck(DesiredSchema.Uid),
  previously: fieldCheck(DesiredSchema.Previously),
  protect: fieldCheck(DesiredSchema.Protect),
  root: fieldCheck(DesiredSchema.Root),
  prune: fieldCheck(DesiredSchema.Prune),
  parent: fieldCheck(DesiredSchema.Parent)
}
