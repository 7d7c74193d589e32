/**
 * The checksum of a plan's changes: what `apply --plan FILE` compares with the plan it would make now, and
 * what the reconciler compares between passes to see whether a pass made progress.
 */
import { createHash } from "node:crypto"
import type { Plan } from "./Plan.js"

/** Object keys sorted at every level and `undefined` left out: the same plan always gives the same text. */
const canonical = (json: unknown): string => {
  if (Array.isArray(json)) return `[${json.map(canonical).join(",")}]`
  if (json !== null && typeof json === "object") {
    const record = json as Record<string, unknown>
    const keys = Object.keys(record).filter((key) => record[key] !== undefined).sort()
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(record[key])}`).join(",")}}`
  }
  return JSON.stringify(json)
}

/** The version of the `plan --format json` document, part of what the checksum covers. */
export const formatVersion = 1

/**
 * `sha256:<hex>` over the canonical serialization of the plan's changes, so that `apply --plan FILE` applies a
 * reviewed plan only while planning now gives exactly the same changes. A refusal is not covered: it is
 * `Safety`'s verdict on the changes, which `--force` may overrule.
 */
export const checksum = (plan: Pick<Plan, "changes">): string =>
  `sha256:${createHash("sha256").update(canonical({ formatVersion, changes: plan.changes })).digest("hex")}`
