/** `orgsync approve <id>|--all`: approve held changes on the running daemon; a pass applies them. */
import { Console, Effect, Option } from "effect"
import * as AdminCommands from "../AdminCommands.js"
import type * as CommandFlags from "../CommandFlags.js"
import { failure } from "../ExitCode.js"
import { admin } from "./admin.js"

export const handle = (flags: CommandFlags.Values<typeof CommandFlags.approveArgs>) =>
  admin(flags, (at) =>
    Option.isSome(flags.id) === flags.all
      ? Effect.as(Console.error("orgsync approve: name one held change by its id, or pass --all"), failure)
      : AdminCommands.approve(at, flags.all ? "all" : [Option.getOrThrow(flags.id)]))
