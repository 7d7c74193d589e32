/** `orgsync suspend`: stop the running daemon's writes; it still plans and shows. */
import { Command } from "@effect/cli"
import { Effect } from "effect"
import { admin, options as adminOptions, requests } from "./admin.js"

export const options = adminOptions

export const command = Command.make("suspend", options, (flags) =>
  admin(flags, (at) => Effect.flatMap(requests, (commands) => commands.suspension(at, true)))
).pipe(Command.withDescription("Stop the running daemon's writes; it still plans and shows (ORGSYNC_ADMIN_TOKEN)"))
