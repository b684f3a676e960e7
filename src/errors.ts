// Same name as src/mj/errors.ts, the same concept one layer down: the errors this layer throws (here UserError,
// a member's mistake; there MjApiError, the API's answer).
import { messagesFor, type Text } from './i18n';

/** A button offered with a refusal: what the member may do instead (send the prompt as typed, edit it, …). */
export interface Offer {
  customId: string;
  label: Text;
  /** The suggested one (Discord's blue button). */
  primary?: boolean;
}

/**
 * An expected failure a member can act on: bad input, a refused action, a provider limit. Its text is shown
 * privately in the member's language (src/discord/replies.ts), with the buttons it `offers`, if any; it is logged
 * at info level at most. Where there are no buttons (the region editor's page), the text alone must do.
 */
export class UserError extends Error {
  constructor(
    readonly text: Text,
    readonly detail?: string,
    readonly offers: readonly Offer[] = [],
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
