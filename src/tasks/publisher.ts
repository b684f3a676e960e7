import type { CardPayload } from '../render/card';
import type { MessageRef } from '../store/records';

export interface Upload {
  name: string;
  data: Buffer;
  contentType: string;
}

export type PublishResult =
  /** `messageId` may differ from before when a fresh message replaced one Discord no longer lets us edit. */
  | { ok: true; messageId: string; interactionExpired: boolean }
  /** The message was deleted or the channel is unreachable: stop editing, quietly. */
  | { ok: false; gone: true; interactionExpired: boolean }
  /**
   * Not done. `permanent`: Discord refused this payload (4xx) and would refuse it again; `tooLarge`: it refused
   * the files (413 / 40005). Otherwise a transient failure: try again after `retryAfterMs`.
   */
  | { ok: false; gone: false; permanent: boolean; tooLarge: boolean; retryAfterMs: number; interactionExpired: boolean }
  /** Not sent: `mayEdit` said no when the request was about to leave (this process may no longer own the card). */
  | { ok: false; gone: false; withheld: true; interactionExpired: boolean };

/** How tracking reaches Discord; implemented in src/discord, faked by nothing (tests use the local Discord). */
export interface Publisher {
  /**
   * Edits a card where `ref` says it is. A card with no message yet whose interaction token is gone (it expired
   * before the first edit) is posted afresh in the channel with the bot token. `mayEdit` is asked right before a
   * request leaves (after any wait for Discord's rate limits): no, and nothing is sent.
   */
  publish(ref: MessageRef, payload: CardPayload, files: Upload[], mayEdit?: () => boolean): Promise<PublishResult>;
  /** Posts a placeholder card through an interaction's token (a task's second card); resolves to its message id. */
  post(interaction: NonNullable<MessageRef['interaction']>, placeholder: { title: string; description: string }): Promise<string>;
}
