/**
 * How big a soak test runs. `npm test` runs the short version of every soak so that CI proves the machinery
 * on every change; `npm run soak` (vitest.soak.config.ts, ORGSYNC_SOAK=full) runs the same files at the scale
 * the figures are quoted at. ORGSYNC_SOAK_SEED replays a run.
 */
import type { Simulator } from "@c42/simulator"
import { PCGRandom } from "effect/Utils"

const full: boolean = process.env["ORGSYNC_SOAK"] === "full"

export const label: string = full ? "full" : "short"

/** `short` in `npm test`, `fullValue` under `npm run soak`. */
export const scaled = <A>(short: A, fullValue: A): A => (full ? fullValue : short)

/** The seed of the soak's dice: fixed in `npm test` so CI is repeatable, fresh at full scale unless given. */
export const seed: number = process.env["ORGSYNC_SOAK_SEED"] !== undefined
  ? Number(process.env["ORGSYNC_SOAK_SEED"])
  : full
  ? Math.floor(Math.random() * 0x7fffffff)
  : 20_260_101

export const random = (): PCGRandom => new PCGRandom(seed)

/** Seconds since `startedMillis`, for the summary lines. */
export const secondsSince = (startedMillis: number): string => ((Date.now() - startedMillis) / 1000).toFixed(1)

/**
 * The simulator's rules each soak runs under: names unique in the whole tenant, as on the strictest servers;
 * then also the renames on deactivation and the guid-less bodies of older servers.
 */
export const servers: ReadonlyArray<readonly [label: string, rules: Partial<Simulator.ServerRules>]> = [
  ["tenant-unique names", { uniqueNames: "tenant" }],
  ["older servers' rules", { uniqueNames: "tenant", renameOnDeactivate: true, legacyBodies: true }]
]
