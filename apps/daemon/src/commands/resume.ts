/** `orgsync resume`: let a suspended daemon write again; a pass starts. */
import * as AdminCommands from "../AdminCommands.js"
import type * as CommandFlags from "../CommandFlags.js"
import { admin } from "./admin.js"

export const handle = (flags: CommandFlags.Values<typeof CommandFlags.admin>) =>
  admin(flags, (at) => AdminCommands.suspension(at, false))
