// Same name as src/errors.ts, the same concept one layer up: the errors this layer throws (here MjApiError, the
// API's answer; there UserError, a member's mistake).
import { messagesFor, type Text } from '../i18n';
import { explainApiText } from './translate';

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
  /** The API's description as it said it (never raw JSON); shown explained in the reader's language. */
  readonly description: string;
  readonly bannedWord: string | undefined;
  /** The request never reached the API (no connection was made, or the circuit was open): it surely did nothing. */
  readonly notDelivered: boolean;

  constructor(init: {
    kind: MjErrorKind;
    message: string;
    code?: number | undefined;
    httpStatus?: number | undefined;
    description?: string | undefined;
    bannedWord?: string | undefined;
    notDelivered?: boolean;
    cause?: unknown;
  }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'MjApiError';
    this.kind = init.kind;
    this.code = init.code;
    this.httpStatus = init.httpStatus;
    this.description = init.description ?? '';
    this.bannedWord = init.bannedWord;
    this.notDelivered = init.notDelivered ?? false;
  }

  /** Whether the same request may be sent again without risk of doing the work twice. */
  get transient(): boolean {
    return this.kind === 'unavailable' || this.kind === 'busy';
  }

  /** A sentence a member can read, in their language: the cause in words and what to do. */
  readonly userText: Text = (t) => {
    const said = this.description ? t.mj.said(explainApiText(this.description, t)) : '';
    switch (this.kind) {
      case 'banned':
        return this.bannedWord ? t.mj.bannedWord(this.bannedWord) : t.mj.banned(said);
      case 'queue-full':
        return t.mj.queueFull;
      case 'limit':
        return t.mj.limit(said);
      case 'auth':
        return t.mj.auth;
      case 'busy':
        return t.mj.busy;
      case 'unavailable':
        return t.mj.unavailable;
      case 'unsupported':
        return t.mj.unsupported(said);
      case 'not-found':
        return t.mj.notFound(said);
      case 'validation':
        return t.mj.validation(said);
      case 'bad-response':
        return t.mj.badResponse;
      case 'failure':
      default:
        return t.mj.failure(said);
    }
  };

  /** The sentence in English (logs and tests). */
  get userMessage(): string {
    return this.userText(messagesFor('en'));
  }
}

export const isMjApiError = (error: unknown): error is MjApiError => error instanceof MjApiError;
