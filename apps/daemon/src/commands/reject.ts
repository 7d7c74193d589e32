/** `orgsync reject <id>`: reject a held change on the running daemon; it stays unapplied. */
import { Command } from "@effect/cli"
import { Effect } from "effect"
import { admin, heldId, options as adminOptions, requests } from "./admin.js"

export const options = adminOptions

export const command = Command.make("reject", { ...options, id: heldId }, (flags) =>
  admin(flags, (at) => Effect.flatMap(requests, (commands) => commands.reject(at, [flags.id])))
).pipe(Command.withDescription("Reject a held change on the running daemon (ORGSYNC_ADMIN_TOKEN): it stays unapplied"))
