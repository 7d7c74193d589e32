/**
 * What each command's help says beyond its flags: what it is for, its exit codes, the environment it reads and
 * two examples. The flags themselves are read from each command's options.
 */
import type * as Help from "./Help.js"
import * as Settings from "./Settings.js"

const connection = ["url", "api", "rateLimit", "burst", "concurrency", "maxRetryAfter", "allowInsecureHttp"] as const

const connected = (...keys: ReadonlyArray<Settings.Key>) => [
  ...Settings.environment(...keys, ...connection),
  ...Settings.credentials
]

export const validate: Help.Doc = {
  name: "validate",
  summary: "Check the desired files offline, without any call to Code42: every error as file:line:column.",
  exits: [[0, "the desired files are valid (warnings may be printed)"], [1, "they are not, or a setting is wrong"]],
  environment: Settings.environment("desired"),
  examples: [
    ["orgsync validate --desired orgs.yaml", "check one file"],
    ["orgsync validate --desired orgs/", "check every *.yaml and *.yml file of a folder"]
  ]
}

export const plan: Help.Doc = {
  name: "plan",
  summary: "Show what apply would do, without writing anything to Code42.",
  exits: [
    [0, "no changes"],
    [1, "an error (also no state database where --state, ORGSYNC_STATE or the settings file names one), " +
      "or a refused plan (empty desired tree, missing root, over the threshold)"],
    [2, "changes pending"]
  ],
  environment: connected("desired", "state"),
  examples: [
    ["orgsync plan --desired orgs.yaml", "the changes, one row each"],
    ["orgsync plan --format json --out plan.json", "a plan to review, then apply with apply --plan plan.json"]
  ]
}

export const apply: Help.Doc = {
  name: "apply",
  summary: "Make Code42 match the desired files. Asks on the terminal first, unless --yes or --plan is given; " +
    "without a terminal it refuses.",
  exits: [
    [0, "Code42 matches the desired state"],
    [1, "an error, a refusal, a stale reviewed plan, a \"no\", or changes left"],
    [130, "interrupted by SIGINT (Ctrl-C); 143 by SIGTERM"]
  ],
  environment: connected("desired", "state"),
  examples: [
    ["orgsync apply --desired orgs.yaml", "show the plan and ask before applying it"],
    ["orgsync apply --plan plan.json --yes", "apply a reviewed plan while it still matches"]
  ]
}

export const run: Help.Doc = {
  name: "run",
  summary: "The daemon: reconcile at start, on every change to the desired files and every interval; serve " +
    "health, metrics and a status page on --listen.",
  exits: [[0, "stopped by SIGINT or SIGTERM"], [1, "could not start (settings, lock, listen address)"]],
  environment: connected("desired", "state", "interval", "listen", "logFormat", "force", "gitRepo", "gitBranch", "gitPath"),
  examples: [
    ["orgsync run --desired orgs.yaml", "reconcile orgs.yaml, status page on 127.0.0.1:9464"],
    ["orgsync run --config /etc/orgsync/orgsync.yaml --dry-run", "plan and report at every pass, never write"]
  ]
}

export const importDoc: Help.Doc = {
  name: "import",
  summary: "Write the live tree as a valid orgs.yaml with uid pins (and orgs.schema.json beside it): a plan of " +
    "it right after is empty.",
  exits: [[0, "written"], [1, "an error, or a tenant the file cannot hold as it is (see --allow-lossy)"]],
  environment: connected("state"),
  examples: [
    ["orgsync import --out orgs.yaml", "start from the live tree"],
    ["orgsync import --root 1007759454961904673 --out engineering.yaml", "only the orgs under one org"]
  ]
}

export const status: Help.Doc = {
  name: "status",
  summary: "Show the last runs, the snapshot's age and the changes pending as of the snapshot, from the state " +
    "database alone.",
  exits: [[0, "shown"], [1, "an error"]],
  environment: Settings.environment("desired", "state"),
  examples: [
    ["orgsync status", "the state database .orgsync/state.db"],
    ["orgsync status --state /var/lib/orgsync/state.db", "the daemon's state database"]
  ]
}

export const demo: Help.Doc = {
  name: "demo",
  summary: "A simulated Code42 tenant and the daemon on config/orgs.yaml, with a status page: edit the file " +
    "and watch the tenant follow.",
  exits: [[0, "stopped by SIGINT or SIGTERM"], [1, "could not start"]],
  environment: [Settings.table.desired.env, Settings.table.interval.env, Settings.table.listen.env],
  examples: [
    ["orgsync demo", "the demo on config/orgs.yaml"],
    ["orgsync demo --desired orgs.yaml --listen 127.0.0.1:8080", "your own file, the page on port 8080"]
  ]
}

export const schema: Help.Doc = {
  name: "schema",
  summary: "Print the JSON Schema of orgs.yaml, for editors (yaml-language-server) and checks.",
  exits: [[0, "printed"]],
  environment: [],
  examples: [
    ["orgsync schema > orgs.schema.json", "the schema beside orgs.yaml"],
    ["orgsync schema | jq '.properties | keys'", "the keys a desired file may hold"]
  ]
}

export const version: Help.Doc = {
  name: "version",
  summary: "Print the version and build of orgsync (as --version does).",
  exits: [[0, "printed"]],
  environment: [],
  examples: [["orgsync version", "e.g. orgsync 0.2.0 (build 61a5b32 2026-11-30)"], [
    "orgsync --version",
    "the same"
  ]]
}

const adminExits: ReadonlyArray<readonly [number, string]> = [
  [0, "done"],
  [1, "not done: no admin token, no daemon on that address, a refused token (401), a change no longer held"]
]

const adminEnvironment = ["ORGSYNC_ADMIN_TOKEN", "ORGSYNC_ADMIN_TOKEN_FILE"]

export const approve: Help.Doc = {
  name: "approve",
  summary: "Approve changes the running daemon holds (destructive: confirm); a pass applies them at once.",
  exits: adminExits,
  environment: adminEnvironment,
  examples: [["orgsync approve 3f9a2c1b7d0e", "the held change of that id, as /api/status lists it"], [
    "orgsync approve --all",
    "every change awaiting approval"
  ]]
}

export const reject: Help.Doc = {
  name: "reject",
  summary: "Reject a change the running daemon holds: it stays unapplied while it is planned unchanged.",
  exits: adminExits,
  environment: adminEnvironment,
  examples: [["orgsync reject 3f9a2c1b7d0e", "that held change"], [
    "orgsync reject 3f9a2c1b7d0e --listen 127.0.0.1:9464",
    "on the daemon at that address"
  ]]
}

export const suspend: Help.Doc = {
  name: "suspend",
  summary: "Stop the running daemon's writes; its passes still plan and show (kept across restarts).",
  exits: adminExits,
  environment: adminEnvironment,
  examples: [["orgsync suspend", "no write until orgsync resume"], ["orgsync suspend --config /etc/orgsync/orgsync.yaml", "the daemon at that file's listen address"]]
}

export const resume: Help.Doc = {
  name: "resume",
  summary: "Let a suspended daemon write again; a pass starts at once.",
  exits: adminExits,
  environment: adminEnvironment,
  examples: [["orgsync resume", "writes again"], ["orgsync resume --listen 127.0.0.1:9464", "the daemon at that address"]]
}
