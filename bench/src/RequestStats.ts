/**
 * What a run cost the server, read from the simulator's request log: calls by kind (sign-ins, list pages,
 * the signed-in user's org, other reads, writes), 429 answers, and when the writes started and ended.
 */
import type { Simulator } from "@c42/simulator"

export interface RequestStats {
  readonly total: number
  readonly signIns: number
  readonly listPages: number
  /** Times the list was read from its first page. */
  readonly listPasses: number
  /** `GET /api/v1/Org/my`. */
  readonly currentOrg: number
  readonly otherReads: number
  /** Every write sent, whatever its answer. */
  readonly writes: number
  /** Writes the server carried out (answered 2xx). */
  readonly acceptedWrites: number
  /** Answers 429. */
  readonly throttled: number
  /** Writes answered 429 (sent, refused, and sent again). */
  readonly throttledWrites: number
  /** Answers that were neither 2xx nor 429 (0 when the connection was dropped). */
  readonly failed: number
  /** Epoch milliseconds of the first and last request, and of the first and last accepted write. */
  readonly firstRequestAt: number | undefined
  readonly lastRequestAt: number | undefined
  readonly firstWriteAt: number | undefined
  readonly lastWriteAt: number | undefined
}

const signIn = /^\/(api|c42api)\/v3\/(auth\/jwt|oauth\/token)$/i
const list = /^\/api(\/v1)?\/org\/?$/i
const current = /^\/api(\/v1)?\/org\/my$/i

export const summarize = (entries: ReadonlyArray<Simulator.RequestLogEntry>): RequestStats => {
  let signIns = 0
  let listPages = 0
  let listPasses = 0
  let currentOrg = 0
  let otherReads = 0
  let writes = 0
  let acceptedWrites = 0
  let throttled = 0
  let throttledWrites = 0
  let failed = 0
  let firstRequestAt: number | undefined
  let lastRequestAt: number | undefined
  let firstWriteAt: number | undefined
  let lastWriteAt: number | undefined
  for (const entry of entries) {
    const at = Date.parse(entry.time)
    firstRequestAt = Math.min(firstRequestAt ?? at, at)
    lastRequestAt = Math.max(lastRequestAt ?? at, at)
    const ok = entry.status >= 200 && entry.status < 300
    if (entry.status === 429) throttled++
    else if (!ok) failed++
    if (signIn.test(entry.path)) {
      signIns++
    } else if (entry.method !== "GET") {
      writes++
      if (entry.status === 429) throttledWrites++
      if (ok) {
        acceptedWrites++
        firstWriteAt = Math.min(firstWriteAt ?? at, at)
        lastWriteAt = Math.max(lastWriteAt ?? at, at)
      }
    } else if (list.test(entry.path)) {
      listPages++
      if ((entry.query["pgNum"] ?? "1") === "1") listPasses++
    } else if (current.test(entry.path)) {
      currentOrg++
    } else {
      otherReads++
    }
  }
  return {
    total: entries.length,
    signIns,
    listPages,
    listPasses,
    currentOrg,
    otherReads,
    writes,
    acceptedWrites,
    throttled,
    throttledWrites,
    failed,
    firstRequestAt,
    lastRequestAt,
    firstWriteAt,
    lastWriteAt
  }
}

/** Accepted writes per second between the first and the last one. */
export const writeRate = (stats: RequestStats): number | undefined =>
  stats.firstWriteAt === undefined || stats.lastWriteAt === undefined || stats.lastWriteAt <= stats.firstWriteAt
    ? undefined
    : ((stats.acceptedWrites - 1) * 1000) / (stats.lastWriteAt - stats.firstWriteAt)
