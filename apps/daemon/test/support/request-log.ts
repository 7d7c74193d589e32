/**
 * Reading the simulator's request log as the soak tests need it: which requests were writes to the tenant,
 * which org each one aimed at, and a one-line tally of the calls by outcome for the summaries.
 */
import type { Simulator } from "@c42/simulator"

export interface Write {
  readonly method: string
  readonly path: string
  readonly status: number
  /** The org written to, by whichever id the path carries; `undefined` for a create. */
  readonly target: { readonly orgGuid: string } | { readonly orgId: number } | undefined
}

const signIn = /^\/(?:api|c42api)\/v3\/(?:auth|oauth)\//i

/** Every request that could change the tenant (sign-ins excluded), in the order they arrived. */
export const writes = (requests: ReadonlyArray<Simulator.RequestLogEntry>): ReadonlyArray<Write> =>
  requests.flatMap((request): ReadonlyArray<Write> => {
    if (request.method === "GET" || request.method === "HEAD" || signIn.test(request.path)) return []
    const v3 = /^\/api\/v3\/orgs\/([^/]+)/i.exec(request.path)
    const v1 = /^\/api(?:\/v1)?\/(?:org|orgblock|orgdeactivation)\/(\d+)/i.exec(request.path)
    const target = v3 !== null
      ? { orgGuid: decodeURIComponent(v3[1]!) }
      : v1 !== null
      ? { orgId: Number(v1[1]) }
      : undefined
    return [{ method: request.method, path: request.path, status: request.status, target }]
  })

/** The org a write aimed at, looked up among `orgs`. */
export const targetOf = (write: Write, orgs: ReadonlyArray<Simulator.SimOrg>): Simulator.SimOrg | undefined => {
  const target = write.target
  if (target === undefined) return undefined
  return "orgGuid" in target
    ? orgs.find((org) => org.orgGuid === target.orgGuid)
    : orgs.find((org) => org.orgId === target.orgId)
}

/** "412 calls (296 ok, 80 5xx, 28 429, 8 dropped, 0 other)". */
export const tally = (requests: ReadonlyArray<Simulator.RequestLogEntry>): string => {
  const count = (test: (status: number) => boolean) => requests.filter((request) => test(request.status)).length
  const ok = count((s) => s >= 200 && s < 300)
  const serverErrors = count((s) => s >= 500)
  const limited = count((s) => s === 429)
  const dropped = count((s) => s === 0)
  const other = requests.length - ok - serverErrors - limited - dropped
  return `${requests.length} calls (${ok} ok, ${serverErrors} 5xx, ${limited} 429, ${dropped} dropped, ${other} other)`
}
