/**
 * The simulator a test talks to, and the hand-made changes ("drift") a person makes in Code42's console.
 */
import { Simulator } from "@c42/simulator"
import { Effect } from "effect"

export const seed: Simulator.Seed = {
  org: {
    orgName: "Acme",
    children: [
      { orgName: "Engineering", children: [{ orgName: "Platform" }] },
      { orgName: "Sales", orgExtRef: "S-0" }
    ]
  }
}

export const start = (options: Simulator.Options = {}) =>
  Simulator.start({ port: 0, seed, randomSeed: 7, ...options })

/** Changes the tenant through the public API, as an administrator in the console would. */
export const byHand = (sim: Simulator.Handle, method: "POST" | "PUT" | "DELETE", path: string, body?: unknown) =>
  Effect.promise(async () => {
    const login = await fetch(`${sim.url}/api/v3/auth/jwt?useBody=true`, {
      headers: { authorization: `Basic ${Buffer.from("admin:secret").toString("base64")}` }
    })
    const token = ((await login.json()) as { data: { v3_user_token: string } }).data.v3_user_token
    const response = await fetch(`${sim.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status}`)
  })

export const named = (sim: Simulator.Handle, name: string) => sim.orgs().filter((org) => org.orgName === name)
