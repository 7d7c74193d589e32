/** `orgsync import`: the live tree written as a valid orgs.yaml with uid pins, and its JSON Schema beside it. */
import { DesiredYaml, ImportCheck, PlanFormat, RemoteTree } from "@c42/reconcile"
import { Console, Effect, Option } from "effect"
import * as path from "node:path"
import type * as CommandFlags from "../CommandFlags.js"
import * as Connection from "../Connection.js"
import { CommandFailed, exitWith, failure, ok } from "../ExitCode.js"
import * as OutputFile from "../OutputFile.js"
import * as Settings from "../Settings.js"
import { schemaText } from "./schema.js"

/** Where the schema the imported file points editors at is written: beside it. */
const schemaBeside = (out: string) => path.join(path.dirname(out), "orgs.schema.json")

export const handle = (flags: CommandFlags.Values<typeof CommandFlags.importFlags>) =>
  exitWith(Effect.gen(function*() {
    const settings = yield* Settings.resolve(flags)
    if (Option.isSome(flags.out)) {
      yield* OutputFile.checkTarget(flags.out.value)
      yield* OutputFile.refuseOwn(flags.out.value, settings)
      if (!(yield* OutputFile.isSpecial(flags.out.value))) yield* OutputFile.refuseOwn(schemaBeside(flags.out.value), settings)
    }
    // Only Code42 is read: the state database is not opened.
    const orgs = yield* RemoteTree.read.pipe(Effect.provide(yield* Connection.client(yield* Settings.clientConfig(settings))))
    const top = orgs.find((org) => org.parentOrgUid === null || org.parentOrgUid === undefined)
    const rootOrgUid = Option.getOrElse(flags.root, () => top?.orgUid ?? "")
    if (!orgs.some((org) => org.orgUid === rootOrgUid)) {
      return yield* new CommandFailed({ message: `no org with orgUid ${rootOrgUid} in the tenant` })
    }
    const text = DesiredYaml.renderImport({ rootOrgUid, orgs })
    // The file must plan nothing against the tenant it came from; what it cannot say is named, not changed.
    const losses = yield* ImportCheck.losses(text, orgs)
    if (losses.length > 0) {
      yield* Console.error(
        `orgsync import: the file cannot hold ${PlanFormat.plural(losses.length, "org")} as Code42 has ${
          losses.length === 1 ? "it" : "them"
        }; a plan of it would change:`
      )
      for (const loss of losses) yield* Console.error(`  ${loss.path === "" ? "" : `${loss.path}: `}${loss.detail}`)
      if (!flags.allowLossy) {
        yield* Console.error("Nothing written: pass --allow-lossy to write it anyway.")
        return failure
      }
    }
    if (settings.api === "gateway") {
      yield* Console.error(
        "orgsync import: the gateway API family does not say which orgs are blocked, so the file gives none as " +
          "blocked; import with api v3 to keep them."
      )
    }
    yield* OutputFile.print(flags.out, text)
    // The file's first line points editors at orgs.schema.json beside it; a device (/dev/null) has no beside.
    if (Option.isSome(flags.out) && !(yield* OutputFile.isSpecial(flags.out.value))) {
      const schemaPath = schemaBeside(flags.out.value)
      yield* OutputFile.write(schemaPath, schemaText())
      yield* Console.error(`Wrote ${flags.out.value} and ${schemaPath}.`)
    }
    return ok
  }))
