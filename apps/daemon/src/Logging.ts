/** Where and how orgsync logs: one-shot commands to stderr, the daemon to stdout in the format asked for. */
import { Printable } from "@c42/reconcile"
import { Layer, Logger, LogLevel } from "effect"

// Effect's loggers name the fiber of each line (`fiber=#25`): an id of the runtime's, which tells an operator
// nothing. Both put it at a fixed place (logfmt right after the level, JSON as the last key), where it is cut.
// A logfmt line is escaped as plans are (a name may hold direction marks, an error text a terminal's escape
// codes): quoted values already escape controls, and unquoted ones keep no space, quote or `=` once escaped.
const logfmt = Logger.map(
  Logger.logfmtLogger,
  (line) => Printable.printable(line.replace(/^(timestamp=\S+ level=\S+) fiber=\S+/, "$1"))
)
const json = Logger.map(Logger.jsonLogger, (line) => line.replace(/,"fiberId":"[^"]*"}$/, "}"))

/** One-shot commands log (retries, re-reads) to stderr, so that stdout holds only what they print. */
const commandLogger = Logger.withConsoleError(logfmt)

export const commandLogging = Layer.merge(
  Logger.replace(Logger.defaultLogger, commandLogger),
  Logger.minimumLogLevel(LogLevel.Info)
)

/** The daemon logs to stdout, in the format asked for. */
export const daemonLogging = (format: "logfmt" | "json") =>
  Layer.merge(
    Logger.replace(commandLogger, Logger.withConsoleLog(format === "json" ? json : logfmt)),
    Logger.minimumLogLevel(LogLevel.Info)
  )
