/** `orgsync version`: the version and build. */
import { Console, Effect } from "effect"
import { exitWith, ok } from "../ExitCode.js"
import * as Version from "../Version.js"

export const handle = () => exitWith(Effect.as(Console.log(Version.line), ok))
