/** `orgsync version`: the version and build. */
import { Command } from "@effect/cli"
import { Console, Effect } from "effect"
import { exitWith, ok } from "../ExitCode.js"
import * as Version from "../Version.js"

export const options = {}

export const command = Command.make("version", options, () => exitWith(Effect.as(Console.log(Version.line), ok))).pipe(
  Command.withDescription("Print the version and build")
)
