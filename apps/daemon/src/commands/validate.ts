/** `orgsync validate`: the desired files checked offline, every error as `file:line:column`. */
import { Command } from "@effect/cli"
import type { Desired } from "@c42/reconcile"
import { Console, Effect } from "effect"
import { exitWith, ok } from "../ExitCode.js"
import * as Settings from "../Settings.js"
import { config, desired } from "./options.js"
import { loadDesired } from "./planning.js"

export const options = { config, desired }

const count = (desiredState: Desired.DesiredState) => {
  let n = 0
  const walk = (orgs: Desired.DesiredState["orgs"]) => orgs.forEach((org) => (n++, walk(org.children)))
  walk(desiredState.orgs)
  return n
}

export const command = Command.make("validate", options, (flags) =>
  exitWith(Effect.gen(function*() {
    const settings = yield* Settings.resolve(flags)
    const desiredState = yield* loadDesired(settings.desired)
    yield* Console.log(`${settings.desired}: valid, ${count(desiredState)} orgs`)
    return ok
  }))).pipe(Command.withDescription("Check the desired files offline; every error as file:line:column"))
