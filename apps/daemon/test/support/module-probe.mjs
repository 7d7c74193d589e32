/**
 * Loaded into an `orgsync` process with `node --import`: appends the path of every module of the bundle the
 * process loads, one a line, to the file `ORGSYNC_MODULE_PROBE` names, so that a test can tell what a command
 * loaded. It changes nothing else.
 */
import * as fs from "node:fs"
import { register } from "node:module"
import { fileURLToPath } from "node:url"
import { isMainThread } from "node:worker_threads"

// The same module is the loader hook, run on the loader's own thread.
if (isMainThread) register(import.meta.url)

export const load = (url, context, next) => {
  if (url.startsWith("file:") && process.env.ORGSYNC_MODULE_PROBE !== undefined) {
    fs.appendFileSync(process.env.ORGSYNC_MODULE_PROBE, `${fileURLToPath(url)}\n`)
  }
  return next(url, context)
}
