/** `orgsync suspend`: stop the running daemon's writes; it still plans and shows. */
import * as AdminCommands from "../AdminCommands.js"
import type * as CommandFlags from "../CommandFlags.js"
import { admin } from "./admin.js"

export const handle = (flags: CommandFlags.Values<typeof CommandFlags.admin>) =>
  admin(flags, (at) => AdminCommands.suspension(at, true))
