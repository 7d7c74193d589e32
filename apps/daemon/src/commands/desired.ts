/** What validate, plan and apply share: the desired files loaded, their issues and warnings printed. */
import { Desired, DesiredFiles } from "@c42/reconcile"
import { Console, Effect } from "effect"

/**
 * Loads and validates the desired files; on failure prints the `file:line:column` issues (at most 100 a file)
 * unless told they are shown otherwise, and on success the warnings of likely mistakes.
 */
export const loadDesired = (path: string, issues: "print" | "quiet" = "print") =>
  DesiredFiles.load(path).pipe(
    Effect.tapError((invalid) =>
      issues === "print" ? Console.error(Desired.formatIssues(invalid.issues).join("\n")) : Effect.void
    ),
    Effect.tap((state) =>
      Effect.forEach(state.warnings ?? [], (warning) =>
        Console.error(Desired.formatIssue({ ...warning, message: `warning: ${warning.message}` })))
    )
  )
