/** `orgsync resume`: let a suspended daemon write again; a pass starts. */
import { Command } from "@effect/cli"
import { Effect } from "effect"
import { admin, options as adminOptions, requests } from "./admin.js"

export const options = adminOptions

export const command = Command.make("resume", options, (flags) =>
  admin(flags, (at) => Effect.flatMap(requests, (commands) => commands.suspension(at, false)))
).pipe(Command.withDescription("Let a suspended daemon write again; a pass starts (ORGSYNC_ADMIN_TOKEN)"))
