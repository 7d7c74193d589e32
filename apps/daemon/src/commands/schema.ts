/** `orgsync schema`: the JSON Schema of orgs.yaml, as config/orgs.schema.json holds it. */
import { DesiredSchema } from "@c42/reconcile"
import { Effect } from "effect"
import { exitWith, ok } from "../ExitCode.js"

/** The JSON Schema of orgs.yaml, as config/orgs.schema.json holds it. */
export const schemaText = () => `${JSON.stringify(DesiredSchema.jsonSchema(), null, 2)}\n`

export const handle = () => exitWith(Effect.as(Effect.sync(() => process.stdout.write(schemaText())), ok))
