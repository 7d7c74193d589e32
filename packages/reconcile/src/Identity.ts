/**
 * What the planner and the state database share: the fields a change is about, and what the state database
 * remembers of each org it manages (the base of drift).
 */
import type { Status } from "./Desired.js"

/** The fields a change is about; only the fields that change appear in `before`/`after`. */
export interface Fields {
  readonly name?: string
  readonly extRef?: string | null
  readonly notes?: string | null
  readonly status?: Status
}

/** What the state database remembers of an org it manages. */
export interface Identity {
  readonly path: string
  readonly orgUid: string
  /**
   * The desired fields as of the last time orgsync converged this org; drift is measured against them. A
   * database of an early version may hold only some of them.
   */
  readonly applied: Fields | undefined
}
