// Same name as src/mj/errors.ts, the same concept one layer down: the errors this layer throws (here UserError,
// a member's mistake; there MjApiError, the API's answer).
import { messagesFor, type Text } from './i18n';

/**
 * An expected failure a member can act on: bad input, a refused action, a provider limit. Its text is shown
 * privately in the member's language (src/discord/replies.ts); it is logged at info level at most.
 */
export class UserError extends Error {
  constructor(
    readonly text: Text,
    readonly detail?: string,
  ) {
    const english = text(messagesFor('en'));
    super(detail ?? english);
    this.name = 'UserError';
  }

  /** What the member is told, in English (logs and tests). */
  get userMessage(): string {
    return this.text(messagesFor('en'));
  }
}
