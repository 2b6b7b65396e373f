/**
 * The one way Tandem's workflows turn a caught failure into the message `status`, notices and logs show.
 */

/**
 * The message of a failure caught in workflow code. An activity's or child's failure arrives wrapped
 * in an ActivityFailure / ChildWorkflowFailure whose own message is generic ("Activity task failed");
 * its `cause` carries the message the activity threw
 * (https://docs.temporal.io/references/failures#activity-failure).
 */
export function failureMessage(error: unknown): string {
  const cause = (error as { cause?: unknown })?.cause;
  if (cause instanceof Error) return cause.message;
  return error instanceof Error ? error.message : String(error);
}
