/** `orgsync reject <id>`: reject a held change on the running daemon; it stays unapplied. */
import * as AdminCommands from "../AdminCommands.js"
import type * as CommandFlags from "../CommandFlags.js"
import { admin } from "./admin.js"

export const handle = (flags: CommandFlags.Values<typeof CommandFlags.rejectArgs>) =>
  admin(flags, (at) => AdminCommands.reject(at, [flags.id]))
