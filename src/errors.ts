/**
 * An expected failure a member can act on: bad input, a refused action, a provider limit.
 * Its message is shown as is (ephemerally); it is logged at info level at most.
 */
export class UserError extends Error {
  constructor(
    readonly userMessage: string,
    readonly detail?: string,
  ) {
    super(detail ?? userMessage);
    this.name = 'UserError';
  }
}

export const GENERIC_FAILURE = 'Something went wrong on our side. Please try again in a moment.';
