/** Every failure of the API client is one of these: what happened, and what to tell a member. */
export type MjErrorKind =
  | 'validation' // code 4 / bad input the server refused
  | 'not-found' // code 3: unknown or expired task, no account available
  | 'banned' // code 24: banned prompt
  | 'queue-full' // code 23, or 9 "队列已满"
  | 'limit' // concurrency / daily limits (trueai -1 envelope, code 4 limits)
  | 'unsupported' // endpoint or action the provider does not offer
  | 'auth' // 401 / 403: the bot is misconfigured
  | 'busy' // 429 / code 30: the service is saturated
  | 'unavailable' // 5xx, network errors, circuit open
  | 'bad-response' // a body we cannot understand
  | 'failure'; // code 9 and anything else the server calls a failure

export class MjApiError extends Error {
  readonly kind: MjErrorKind;
  /** The API's own `code` when it sent one. */
  readonly code: number | undefined;
  readonly httpStatus: number | undefined;
  /** The API's description, cleaned for display (never raw JSON). */
  readonly description: string;
  readonly bannedWord: string | undefined;

  constructor(init: {
    kind: MjErrorKind;
    message: string;
    code?: number | undefined;
    httpStatus?: number | undefined;
    description?: string | undefined;
    bannedWord?: string | undefined;
    cause?: unknown;
  }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'MjApiError';
    this.kind = init.kind;
    this.code = init.code;
    this.httpStatus = init.httpStatus;
    this.description = init.description ?? '';
    this.bannedWord = init.bannedWord;
  }

  /** Whether the same request may be sent again without risk of doing the work twice. */
  get transient(): boolean {
    return this.kind === 'unavailable' || this.kind === 'busy';
  }

  /** A sentence a member can read: the cause in words and what to do. */
  get userMessage(): string {
    const said = this.description ? ` The service said: “${this.description}”.` : '';
    switch (this.kind) {
      case 'banned':
        return this.bannedWord
          ? `Midjourney refused this prompt because of the word “${this.bannedWord}”. Rephrase it and try again.`
          : `Midjourney refused this prompt as not allowed.${said} Rephrase it and try again.`;
      case 'queue-full':
        return 'The Midjourney queue is full right now. Try again in a few minutes.';
      case 'limit':
        return `You have reached a usage limit of the Midjourney service.${said} Try again later.`;
      case 'auth':
        return 'The bot is misconfigured: the Midjourney service refused its credentials. Please tell a server admin.';
      case 'busy':
        return 'The Midjourney service is busy. Try again in a minute.';
      case 'unavailable':
        return 'The Midjourney service cannot be reached right now. Try again in a few minutes.';
      case 'unsupported':
        return `This action is not offered by this server's Midjourney provider.${said}`;
      case 'not-found':
        return `The Midjourney service could not find that task or has no account available.${said} Try again later.`;
      case 'validation':
        return `The Midjourney service rejected the request.${said}`;
      case 'bad-response':
        return 'The Midjourney service sent an answer the bot could not understand. Try again later.';
      case 'failure':
      default:
        return `The Midjourney service could not take the request.${said} Try again later.`;
    }
  }
}

export const isMjApiError = (error: unknown): error is MjApiError => error instanceof MjApiError;
