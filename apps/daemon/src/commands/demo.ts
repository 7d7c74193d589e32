/**
 * `orgsync demo` (what `npm start` runs): a simulated Code42 tenant, seeded, and the daemon on config/orgs.yaml,
 * with a status page. The simulator is loaded by this command only.
 */
import { FileSystem } from "@effect/platform"
import type { Simulator } from "@c42/simulator"
import { Console, Effect, Option, Redacted } from "effect"
import type * as CommandFlags from "../CommandFlags.js"
import { exitWith } from "../ExitCode.js"
import * as Settings from "../Settings.js"
import { daemon } from "./run.js"

/** The demo tenant: some of config/orgs.yaml already there, some not, and some drift to heal. */
const seed: Simulator.Seed = {
  org: {
    orgName: "Demo Tenant",
    children: [
      {
        orgName: "Engineering",
        orgExtRef: "ENG-001",
        children: [{ orgName: "Platform" }, { orgName: "Mobile", blocked: true }, { orgName: "Data" }]
      },
      { orgName: "Sales", orgExtRef: "SLS-001", children: [{ orgName: "EMEA" }, { orgName: "Americas" }] },
      { orgName: "Finance", orgExtRef: "FIN-001" },
      { orgName: "Contractors" },
      { orgName: "Interns 2019", active: false }
    ]
  }
}

export const handle = (flags: CommandFlags.Values<typeof CommandFlags.demo>) =>
  exitWith(Effect.gen(function*() {
    const { Simulator } = yield* Effect.promise(() => import("@c42/simulator"))
    // As strict as the servers that rename deactivated orgs and refuse a name used anywhere in the tenant.
    const sim = yield* Simulator.start({
      port: 0,
      seed,
      randomSeed: 42,
      rules: { renameOnDeactivate: true, uniqueNames: "tenant" }
    })
    const fs = yield* FileSystem.FileSystem
    const dir = yield* fs.makeTempDirectoryScoped({ prefix: "orgsync-demo-" })
    const settings = yield* Settings.resolve({
      desired: flags.desired,
      state: Option.some(`${dir}/state.db`),
      interval: Option.isOption(flags.interval) && Option.isSome(flags.interval) ? flags.interval : Option.some("1m"),
      listen: flags.listen
    })
    const address = `http://${settings.listen.host}:${settings.listen.port}/`
    yield* Console.log(`orgsync demo: a simulated Code42 tenant at ${sim.url} (admin / secret)`)
    yield* Console.log(`orgsync demo: reconciling ${settings.desired}; edit it and watch the tenant follow`)
    yield* Console.log(`orgsync demo: status page at ${address} (Ctrl-C to stop)`)
    return yield* daemon(settings, {
      url: sim.url,
      auth: { _tag: "LocalAccount", username: "admin", password: Redacted.make("secret") }
    }, false)
  }).pipe(Effect.scoped))
