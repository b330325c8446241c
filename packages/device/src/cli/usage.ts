/** A mistake on the command line or in a config file: reported as one line plus usage, exit 2, never a stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
