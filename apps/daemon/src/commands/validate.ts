/** `orgsync validate`: the desired files checked offline, every error as `file:line:column`. */
import type { Desired } from "@c42/reconcile"
import { Console, Effect } from "effect"
import type * as CommandFlags from "../CommandFlags.js"
import { exitWith, ok } from "../ExitCode.js"
import * as Settings from "../Settings.js"
import { loadDesired } from "./desired.js"

const count = (desiredState: Desired.DesiredState) => {
  let n = 0
  const walk = (orgs: Desired.DesiredState["orgs"]) => orgs.forEach((org) => (n++, walk(org.children)))
  walk(desiredState.orgs)
  return n
}

export const handle = (flags: CommandFlags.Values<typeof CommandFlags.validate>) =>
  exitWith(Effect.gen(function*() {
    const settings = yield* Settings.resolve(flags)
    const desiredState = yield* loadDesired(settings.desired)
    yield* Console.log(`${settings.desired}: valid, ${count(desiredState)} orgs`)
    return ok
  }))
