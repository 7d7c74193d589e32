/**
 * Bundles the `orgsync` command (dist/bin.js, from tsc) with esbuild into bundle/: our packages and the Effect
 * libraries are inside it, so that `npm install orgsync` fetches only the dependencies of package.json (the
 * native SQLite driver, the file watcher, the YAML parser), which stay outside it. Each command's modules are
 * a chunk loaded when that command runs, so a quick command does not load the daemon, the HTTP client or the
 * simulator.
 */
import * as esbuild from "esbuild"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"

const pkg = JSON.parse(fs.readFileSync(new URL("./package.json", import.meta.url), "utf8"))
const outdir = "bundle"

// These CommonJS packages do not declare `sideEffects`, so esbuild would keep each whole in every chunk that
// merely re-exports it. None runs anything when loaded: let esbuild drop what is not used.
const pureModules = /^(undici|ws|toml|ini|mime)$/

// @effect/platform-node's index re-exports all of undici (`export * from "undici"`, a CommonJS module that a
// bundler cannot shake), which would load the HTTP client for every command. orgsync uses NodeHttpClient, not
// that namespace.
const platformNodeIndex = /@effect[\\/]platform-node[\\/]dist[\\/]esm[\\/]index\.js$/
const undiciReexport = /^export \* as Undici from "\.\/Undici\.js";$/m

// @effect/platform-node's undici client takes only an Agent and the global dispatcher from undici, and sends
// with the request method that undici's index adds to every dispatcher. That index also loads fetch, WebSocket,
// EventSource, the mock agents and the caches, about half of undici, which cost every command that talks to
// Code42 some 50 ms at start: the client is given only what it takes.
const platformUndici = /@effect[\\/]platform-node[\\/]dist[\\/]esm[\\/]Undici\.js$/
const undiciTaken = new Set(["Agent", "getGlobalDispatcher"])

// Our own modules import a package's index by name (`import { Effect, Option } from "effect"`). esbuild places
// every module an index re-exports in the chunks of whatever reaches that index, so one such import in a quick
// command would load what any command uses (streams, schemas, the state database, the daemon). Each name is
// imported from its own module instead (`import * as Effect from ".../Effect.js"`), as the index says it is.
const ownModule = /[\\/](apps[\\/]daemon|packages[\\/][^\\/]+)[\\/]dist[\\/].*\.js$/
const namedImport = /^import \{([^}]*)\} from "(effect|@effect\/[a-z-]+|@c42\/[a-z]+)";$/gm
const namespaceExport = /^export \* as (\w+) from "(\.\/[^"]+)";$/gm
const namedExport = /^export \{([^}]*)\} from "(\.\/[^"]+)";$/gm

/** What a package's index re-exports: each name with the module it comes from, and whether it is that module. */
const indexExports = (indexPath) => {
  const source = fs.readFileSync(indexPath, "utf8")
  const exports = new Map()
  const modulePath = (relative) => path.join(path.dirname(indexPath), relative)
  for (const [, name, relative] of source.matchAll(namespaceExport)) {
    exports.set(name, { path: modulePath(relative), namespace: true })
  }
  for (const [, names, relative] of source.matchAll(namedExport)) {
    for (const name of names.split(",").map((n) => n.trim()).filter((n) => n !== "")) {
      exports.set(name, { path: modulePath(relative), namespace: false })
    }
  }
  return exports
}

/** @type {esbuild.Plugin} */
const lean = {
  name: "orgsync-lean",
  setup(build) {
    const indexes = new Map()
    const indexOf = async (specifier, resolveDir) => {
      const resolved = await build.resolve(specifier, { kind: "import-statement", resolveDir })
      if (resolved.errors.length > 0) return undefined
      if (!indexes.has(resolved.path)) indexes.set(resolved.path, indexExports(resolved.path))
      return indexes.get(resolved.path)
    }
    build.onLoad({ filter: ownModule }, async (args) => {
      const source = await fs.promises.readFile(args.path, "utf8")
      const resolveDir = path.dirname(args.path)
      const rewrites = []
      for (const match of source.matchAll(namedImport)) {
        const [statement, names, specifier] = match
        const exports = await indexOf(specifier, resolveDir)
        const bindings = names.split(",").map((n) => n.trim()).filter((n) => n !== "").map((n) => {
          const [imported, local = imported] = n.split(/\s+as\s+/)
          return { imported, local, from: exports?.get(imported) }
        })
        if (bindings.some((binding) => binding.from === undefined)) continue
        rewrites.push([
          statement,
          bindings.map(({ imported, local, from }) =>
            from.namespace
              ? `import * as ${local} from ${JSON.stringify(from.path)};`
              : `import { ${imported} as ${local} } from ${JSON.stringify(from.path)};`
          ).join("\n")
        ])
      }
      let contents = source
      for (const [statement, replacement] of rewrites) contents = contents.replace(statement, replacement)
      return { contents, loader: "js", resolveDir }
    })
    build.onResolve({ filter: /^undici$/ }, (args) =>
      platformUndici.test(args.importer) ? { path: args.importer, namespace: "orgsync-undici" } : undefined)
    build.onLoad({ filter: /.*/, namespace: "orgsync-undici" }, async (args) => {
      const client = path.join(path.dirname(args.path), "internal", "httpClientUndici.js")
      const used = [...(await fs.promises.readFile(client, "utf8")).matchAll(/(?<![\w./])Undici\.(\w+)/g)].map((m) => m[1])
      const unexpected = [...new Set(used)].filter((name) => !undiciTaken.has(name))
      if (unexpected.length > 0) {
        return { errors: [{ text: `${client} uses undici's ${unexpected.join(", ")}: review ${import.meta.url}` }] }
      }
      const index = await build.resolve("undici", {
        kind: "require-call",
        resolveDir: path.dirname(args.path),
        pluginData: "resolving"
      })
      if (index.errors.length > 0) return { errors: index.errors }
      const lib = (file) => JSON.stringify(path.join(path.dirname(index.path), "lib", file))
      return {
        contents: [
          `Object.assign(require(${lib("dispatcher/dispatcher.js")}).prototype, require(${lib("api/index.js")}))`,
          `module.exports.Agent = require(${lib("dispatcher/agent.js")})`,
          `module.exports.getGlobalDispatcher = require(${lib("global.js")}).getGlobalDispatcher`
        ].join("\n"),
        loader: "js",
        resolveDir: path.dirname(index.path)
      }
    })
    build.onResolve({ filter: pureModules }, async (args) => {
      if (args.pluginData === "resolving") return undefined
      const resolved = await build.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: "resolving"
      })
      return resolved.errors.length > 0 ? { errors: resolved.errors } : { path: resolved.path, sideEffects: false }
    })
    build.onLoad({ filter: platformNodeIndex }, async (args) => {
      const source = await fs.promises.readFile(args.path, "utf8")
      if (!undiciReexport.test(source)) {
        return { errors: [{ text: `${args.path} no longer re-exports Undici as expected: review ${import.meta.url}` }] }
      }
      return { contents: source.replace(undiciReexport, ""), loader: "js" }
    })
  }
}

/** The commit and date the bundle is made from, for `orgsync --version`; `unknown` outside a git checkout. */
const build = (() => {
  try {
    const [sha, date] = execFileSync("git", ["log", "-1", "--format=%h %cs"], { encoding: "utf8" }).trim().split(" ")
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "."], { encoding: "utf8" }).trim() !== ""
    return `${sha}${dirty ? "+modified" : ""} ${date}`
  } catch {
    return "unknown"
  }
})()

fs.rmSync(outdir, { recursive: true, force: true })
await esbuild.build({
  entryPoints: { orgsync: "dist/bin.js" },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20.19",
  // What package.json lists as dependencies is installed beside the bundle, so it stays outside.
  external: Object.keys(pkg.dependencies),
  plugins: [lean],
  // Bundled CommonJS modules require Node's own modules.
  banner: { js: `import { createRequire as __orgsyncRequire } from "node:module"; const require = __orgsyncRequire(import.meta.url);` },
  define: { ORGSYNC_BUILD: JSON.stringify(build) },
  legalComments: "linked",
  logLevel: "warning",
  minify: true
})
