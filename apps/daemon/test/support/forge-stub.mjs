/**
 * A test double of the forges' APIs, run as `gh` (GitHub's CLI: `gh api`) and `curl` (against GitLab's notes
 * API) from the CI templates' shell steps. It keeps the pull request's comments in `$FORGE_STUB_DIR/forge.json`
 * and records every request there, so a test can see what would have been posted. It understands exactly the
 * options the templates use and fails loudly on any other, so a template cannot drift from what is tested.
 *
 *   node forgeStub.mjs gh api [--method M] [--paginate] [--jq FILTER] [-F key=@file]... ENDPOINT
 *   node forgeStub.mjs curl [--fail] [--silent] [--show-error] [--header H]... [--request M]
 *                           [--data-urlencode key@file] URL
 */
import * as fs from "node:fs"
import * as path from "node:path"

const stateFile = path.join(process.env.FORGE_STUB_DIR ?? fail("FORGE_STUB_DIR is not set"), "forge.json")

function fail(message, code = 2) {
  process.stderr.write(`forge stub: ${message}\n`)
  process.exit(code)
}

const load = () =>
  fs.existsSync(stateFile) ? JSON.parse(fs.readFileSync(stateFile, "utf8")) : { nextId: 1001, comments: [], requests: [] }
const save = (state) => fs.writeFileSync(stateFile, JSON.stringify(state, null, 2))

/** Takes `--name value` pairs and flags off `args`, answering the options and the positional arguments. */
const parse = (args, valued, flags) => {
  const options = {}
  const positional = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]
    const name = valued[arg]
    if (name !== undefined) {
      if (i + 1 >= args.length) fail(`${arg} needs a value`)
      ;(options[name] ??= []).push(args[++i])
    } else if (flags[arg] !== undefined) options[flags[arg]] = true
    else if (arg.startsWith("-")) fail(`unsupported option ${arg}`)
    else positional.push(arg)
  }
  return { options, positional }
}

/** `key=@file` or `key@file`: the file's content. */
const fileField = (field, separator) => {
  const at = field.indexOf(separator)
  if (at < 0) fail(`expected key${separator}file, got ${field}`)
  return [field.slice(0, at), fs.readFileSync(field.slice(at + separator.length), "utf8")]
}

const gh = (args) => {
  if (args[0] !== "api") fail(`unsupported gh command ${args[0]}`)
  if (!process.env.GH_TOKEN) fail("gh: no GH_TOKEN (gh auth login)", 4)
  const { options, positional } = parse(args.slice(1), { "--method": "method", "--jq": "jq", "-F": "field" }, {
    "--paginate": "paginate"
  })
  if (positional.length !== 1) fail(`expected one endpoint, got ${positional.join(" ")}`)
  const endpoint = positional[0]
  const method = options.method?.[0] ?? (options.field ? "POST" : "GET")
  const fields = Object.fromEntries((options.field ?? []).map((field) => fileField(field, "=@")))
  const state = load()
  state.requests.push({ tool: "gh", method, endpoint, fields })
  let answer
  const list = /^repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/.exec(endpoint)
  const one = /^repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/.exec(endpoint)
  if (list && method === "GET") {
    answer = state.comments.filter((comment) => comment.issue === list[1])
  } else if (list && method === "POST") {
    answer = { id: state.nextId++, issue: list[1], body: fields.body ?? fail("no body") }
    state.comments.push(answer)
  } else if (one && method === "PATCH") {
    answer = state.comments.find((comment) => comment.id === Number(one[1])) ?? fail("HTTP 404: Not Found", 1)
    answer.body = fields.body ?? fail("no body")
  } else fail(`unsupported ${method} ${endpoint}`)
  save(state)
  if (options.jq === undefined) return process.stdout.write(JSON.stringify(answer))
  // gh evaluates --jq itself; this double knows the one filter the template uses: ids of comments containing a text.
  const filter = /^\.\[\] \| select\(\.body \| contains\("((?:[^"\\]|\\.)*)"\)\) \| \.id$/.exec(options.jq[0])
  if (filter === null) fail(`unsupported --jq ${options.jq[0]}`)
  const text = JSON.parse(`"${filter[1]}"`)
  for (const comment of answer) if (comment.body.includes(text)) process.stdout.write(`${comment.id}\n`)
}

const curl = (args) => {
  const { options, positional } = parse(
    args,
    { "--header": "header", "--request": "request", "--data-urlencode": "data" },
    { "--fail": "fail", "--silent": "silent", "--show-error": "showError" }
  )
  if (positional.length !== 1) fail(`expected one URL, got ${positional.join(" ")}`)
  const url = new URL(positional[0])
  const method = options.request?.[0] ?? (options.data ? "POST" : "GET")
  const headers = Object.fromEntries((options.header ?? []).map((header) => {
    const colon = header.indexOf(":")
    return [header.slice(0, colon).trim().toLowerCase(), header.slice(colon + 1).trim()]
  }))
  const fields = Object.fromEntries((options.data ?? []).map((field) => fileField(field, "@")))
  const state = load()
  state.requests.push({ tool: "curl", method, url: url.href, headers, fields })
  save(state)
  // Besides curl's own words, the double says what it was asked and what it holds, so a failing job explains itself.
  const refuse = (status) =>
    options.fail
      ? fail(
        `The requested URL returned error: ${status} (${method} ${url.pathname}; ` +
          `notes held: ${state.comments.map((note) => `${note.issue}/${note.id}`).join(", ") || "none"})`,
        22
      )
      : process.stdout.write(`{"message":"${status}"}`)
  if (!headers["private-token"]) return refuse(401)
  const list = /^\/api\/v4\/projects\/([^/]+)\/merge_requests\/(\d+)\/notes$/.exec(url.pathname)
  const one = /^\/api\/v4\/projects\/([^/]+)\/merge_requests\/(\d+)\/notes\/(\d+)$/.exec(url.pathname)
  let answer
  if (list && method === "GET") {
    const perPage = Number(url.searchParams.get("per_page") ?? 20)
    const page = Number(url.searchParams.get("page") ?? 1)
    answer = state.comments.filter((note) => note.issue === list[2]).slice((page - 1) * perPage, page * perPage)
  } else if (list && method === "POST") {
    answer = { id: state.nextId++, issue: list[2], body: fields.body ?? fail("no body") }
    state.comments.push(answer)
  } else if (one && method === "PUT") {
    answer = state.comments.find((note) => note.id === Number(one[3]) && note.issue === one[2])
    if (answer === undefined) return refuse(404)
    answer.body = fields.body ?? fail("no body")
  } else return refuse(404)
  save(state)
  process.stdout.write(JSON.stringify(answer))
}

const [tool, ...args] = process.argv.slice(2)
if (tool === "gh") gh(args)
else if (tool === "curl") curl(args)
else fail(`unknown tool ${tool}`)
