/**
 * Helpers for tests that talk to a running simulator over loopback with fetch.
 */
import { Effect } from "effect"
import type { Simulator } from "../src/index.js"

export interface Reply {
  readonly status: number
  readonly headers: Headers
  /** Parsed JSON (undefined for an empty body); tests index into it freely. */
  readonly body: any
}

export interface RequestOptions {
  readonly token?: string | undefined
  readonly authorization?: string | undefined
  readonly headers?: Record<string, string> | undefined
  readonly body?: unknown
}

export const basic = (user: string, secret: string) => `Basic ${Buffer.from(`${user}:${secret}`).toString("base64")}`

/** One HTTP exchange; a dropped connection fails the effect with the fetch error. */
export const attempt = (sim: Simulator.Handle, method: string, path: string, options: RequestOptions = {}) =>
  Effect.tryPromise(async (): Promise<Reply> => {
    const headers: Record<string, string> = { ...options.headers }
    const authorization = options.authorization ?? (options.token === undefined ? undefined : `Bearer ${options.token}`)
    if (authorization !== undefined) headers["authorization"] = authorization
    if (options.body !== undefined) headers["content-type"] = "application/json"
    const response = await fetch(`${sim.url}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body)
    })
    const text = await response.text()
    return { status: response.status, headers: response.headers, body: text === "" ? undefined : JSON.parse(text) }
  })

/** One HTTP exchange that is expected to get an answer. */
export const request = (sim: Simulator.Handle, method: string, path: string, options: RequestOptions = {}) =>
  Effect.orDie(attempt(sim, method, path, options))

export const signIn = (sim: Simulator.Handle, user = "admin", password = "secret") =>
  Effect.map(
    request(sim, "GET", "/api/v3/auth/jwt?useBody=true", { authorization: basic(user, password) }),
    (reply) => reply.body.data.v3_user_token as string
  )

/** A signed-in caller of one simulator. */
export const client = (sim: Simulator.Handle) =>
  Effect.map(signIn(sim), (token) => ({
    token,
    get: (path: string) => request(sim, "GET", path, { token }),
    send: (method: string, path: string, body?: unknown) => request(sim, method, path, { token, body })
  }))

/** The org of that name as the server holds it; fails the test when there is not exactly one. */
export const orgNamed = (sim: Simulator.Handle, name: string): Simulator.SimOrg => {
  const matches = sim.orgs().filter((org) => org.orgName === name)
  if (matches.length !== 1) throw new Error(`Expected one org named "${name}", found ${matches.length}`)
  return matches[0]!
}

/**
 * Acme > Engineering > (Platform > Platform Core, Mobile), Acme > Sales > Field Sales: small enough to reason
 * about, deep enough for cascades.
 */
export const smallSeed: Simulator.Seed = {
  org: {
    orgName: "Acme",
    children: [
      {
        orgName: "Engineering",
        orgExtRef: "ENG-001",
        userCount: 4,
        computerCount: 5,
        children: [
          { orgName: "Platform", userCount: 2, computerCount: 3, children: [{ orgName: "Platform Core" }] },
          { orgName: "Mobile", userCount: 1 }
        ]
      },
      { orgName: "Sales", children: [{ orgName: "Field Sales" }] }
    ]
  }
}
