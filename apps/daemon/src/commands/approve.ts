/** `orgsync approve <id>|--all`: approve held changes on the running daemon; a pass applies them. */
import { Args, Command, Options } from "@effect/cli"
import { Console, Effect, Option } from "effect"
import { failure } from "../ExitCode.js"
import { admin, heldId, options as adminOptions, requests } from "./admin.js"

const all = Options.boolean("all").pipe(Options.withDescription("Approve every change awaiting approval"))

export const options = { ...adminOptions, all }

export const command = Command.make("approve", { ...options, id: Args.optional(heldId) }, (flags) =>
  admin(flags, (at) =>
    Effect.flatMap(requests, (commands) =>
      Option.isSome(flags.id) === flags.all
        ? Effect.as(Console.error("orgsync approve: name one held change by its id, or pass --all"), failure)
        : commands.approve(at, flags.all ? "all" : [Option.getOrThrow(flags.id)])))
).pipe(Command.withDescription("Approve held changes on the running daemon (ORGSYNC_ADMIN_TOKEN); a pass applies them"))
