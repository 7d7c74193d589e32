/** `orgsync schema`: the JSON Schema of orgs.yaml, as config/orgs.schema.json holds it. */
import { Command } from "@effect/cli"
import { DesiredSchema } from "@c42/reconcile"
import { Effect } from "effect"
import { exitWith, ok } from "../ExitCode.js"

export const options = {}

/** The JSON Schema of orgs.yaml, as config/orgs.schema.json holds it. */
export const schemaText = () => `${JSON.stringify(DesiredSchema.jsonSchema(), null, 2)}\n`

export const command = Command.make("schema", options, () =>
  exitWith(Effect.as(Effect.sync(() => process.stdout.write(schemaText())), ok))).pipe(
    Command.withDescription("Print the JSON Schema of orgs.yaml")
  )
