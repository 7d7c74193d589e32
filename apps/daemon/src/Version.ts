/**
 * orgsync's version, as its package.json says. The file is one folder above both dist/ (the compiled
 * modules) and bundle/ (what the installed package runs).
 */
import { createRequire } from "node:module"

export const version: string = (createRequire(import.meta.url)("../package.json") as { readonly version: string }).version
