/**
 * Loaded into an `orgsync` process with `node --import`: writes `loading-probe: main` on stderr at the moment
 * the executable asks for its command line (the bundle's `main-*.js` chunk), so that a test can send a signal
 * while that chunk loads. It changes nothing else: it only watches the module names go by.
 */
import * as fs from "node:fs"
import { register } from "node:module"
import { isMainThread } from "node:worker_threads"

// The same module is the loader hook, run on the loader's own thread.
if (isMainThread) register(import.meta.url)

export const resolve = (specifier, context, next) => {
  if (/^\.\/main-\w+\.js$/.test(specifier)) fs.writeSync(2, "loading-probe: main\n")
  return next(specifier, context)
}
