/**
 * orgsync's version, as its package.json says, and its build: the commit and date it was bundled from. The
 * package.json is one folder above both dist/ (the compiled modules) and bundle/ (what the installed package
 * runs); the build is written into the bundle by bundle.mjs.
 */
import { createRequire } from "node:module"

export const version: string = (createRequire(import.meta.url)("../package.json") as { readonly version: string }).version

declare const ORGSYNC_BUILD: string | undefined

/** `61a5b32 2026-11-30` in the bundle; `from source` when the compiled modules run unbundled. */
export const build: string = typeof ORGSYNC_BUILD === "string" ? ORGSYNC_BUILD : "from source"

/** The commit the bundle was made from (`61a5b32`, `61a5b32+modified`); `unknown` where the build does not say. */
export const commit: string = build === "from source" || build === "unknown" ? "unknown" : build.split(" ")[0]!

/** What `orgsync version` and `orgsync --version` print. */
export const line = `orgsync ${version} (build ${build})`
