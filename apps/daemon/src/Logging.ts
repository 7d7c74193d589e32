/** Where and how orgsync logs: one-shot commands to stderr, the daemon to stdout in the format asked for. */
import { Layer, Logger, LogLevel } from "effect"

/** One-shot commands log (retries, re-reads) to stderr, so that stdout holds only what they print. */
const commandLogger = Logger.withConsoleError(Logger.logfmtLogger)

export const commandLogging = Layer.merge(
  Logger.replace(Logger.defaultLogger, commandLogger),
  Logger.minimumLogLevel(LogLevel.Info)
)

/** The daemon logs to stdout, in the format asked for. */
export const daemonLogging = (format: "logfmt" | "json") =>
  Layer.merge(
    Logger.replace(commandLogger, Logger.withConsoleLog(format === "json" ? Logger.jsonLogger : Logger.logfmtLogger)),
    Logger.minimumLogLevel(LogLevel.Info)
  )
