import { DiscordAPIError, HTTPError, RESTJSONErrorCodes, Routes, type REST } from 'discord.js';
import type { Logger } from '../logger';
import type { CardPayload } from '../render/card';
import type { MessageRef } from '../store/records';
import type { Publisher, PublishResult, Upload } from '../tasks/publisher';
import { RateGate } from '../tasks/rate-gate';
import { EditWithheld, type WebhookEdits } from './webhook-edits';

const GONE = new Set<number>([RESTJSONErrorCodes.UnknownMessage, RESTJSONErrorCodes.UnknownChannel, RESTJSONErrorCodes.MissingAccess]);
/** Refresh the token this long before Discord's 15 minutes run out. */
const TOKEN_MARGIN_MS = 60_000;
/**
 * How often a bot-token request waiting in discord.js's queue asks whether this process may still edit: well
 * inside the margin src/tasks/fleet.ts keeps before a lease runs out.
 */
const OWNERSHIP_CHECK_MS = 100;

/** An edit not sent because this process may no longer edit the card (EditWithheld): delivery asks again later. */
const withheld = (interactionExpired: boolean): PublishResult => ({ ok: false, gone: false, withheld: true, interactionExpired });
const codeOf = (error: unknown) => (error instanceof DiscordAPIError ? Number(error.code) : undefined);
const statusOf = (error: unknown) => (error instanceof DiscordAPIError || error instanceof HTTPError ? error.status : undefined);

/**
 * Brings a card to Discord. While the interaction token lives it edits through the webhook (outside the
 * bot's global rate limit); after that, or on 50027/401, it edits the channel message with the bot token.
 * A message past its edit cap (30046) is replaced by a fresh one; a deleted one ends tracking.
 */
export class RestPublisher implements Publisher {
  constructor(
    private readonly rest: REST,
    /** Edits through the interaction token: nearly every edit (src/discord/webhook-edits.ts). */
    private readonly webhookEdits: WebhookEdits,
    private readonly logger: Logger,
    private readonly clock: () => number = Date.now,
    /** Bot-token requests count against Discord's global 50/s; 40/s leaves room for everything else. */
    private readonly botTokenGate = new RateGate(40),
  ) {}

  async publish(ref: MessageRef, payload: CardPayload, uploads: Upload[], mayEdit: () => boolean = () => true): Promise<PublishResult> {
    let interactionExpired = false;
    if (ref.interaction && this.clock() < ref.interaction.expiresAt - TOKEN_MARGIN_MS) {
      const { applicationId, token } = ref.interaction;
      try {
        const message = await this.webhookEdits.edit(applicationId, token, ref.messageId ?? '@original', payload, uploads, mayEdit);
        return { ok: true, messageId: message.id, interactionExpired };
      } catch (error) {
        if (error instanceof EditWithheld) return withheld(interactionExpired);
        const code = codeOf(error);
        if (code === RESTJSONErrorCodes.InvalidWebhookToken || code === RESTJSONErrorCodes.UnknownWebhook || statusOf(error) === 401) {
          interactionExpired = true;
        } else if (code !== undefined && GONE.has(code)) {
          return { ok: false, gone: true, interactionExpired };
        } else if (code !== RESTJSONErrorCodes.MaximumNumberOfEditsToMessagesOlderThanOneHourReached) {
          return this.failed(error, interactionExpired);
        }
      }
    } else if (ref.interaction) {
      interactionExpired = true;
    }
    // The token went before the card's first edit: the card is posted in the channel instead of being lost.
    if (!ref.messageId) return this.replace(ref, payload, uploads, interactionExpired, mayEdit);
    try {
      await this.botTokenGate.take();
      await whileOwned(mayEdit, (signal) => this.rest.patch(Routes.channelMessage(ref.channelId, ref.messageId!), { body: payload, files: uploads, signal }));
      return { ok: true, messageId: ref.messageId, interactionExpired };
    } catch (error) {
      if (error instanceof EditWithheld) return withheld(interactionExpired);
      const code = codeOf(error);
      if (code !== undefined && GONE.has(code)) return { ok: false, gone: true, interactionExpired };
      if (code === RESTJSONErrorCodes.MaximumNumberOfEditsToMessagesOlderThanOneHourReached) return this.replace(ref, payload, uploads, interactionExpired, mayEdit);
      return this.failed(error, interactionExpired);
    }
  }

  /**
   * Edits part of a channel message with the bot token, outside tracking (a finished card's ⭐ count, a showcase
   * post's): 'gone' when Discord no longer lets the bot edit it (deleted: 10008), 'failed' otherwise (logged).
   */
  async editMessage(channelId: string, messageId: string, body: Record<string, unknown>): Promise<'ok' | 'gone' | 'failed'> {
    try {
      await this.botTokenGate.take();
      await this.rest.patch(Routes.channelMessage(channelId, messageId), { body });
      return 'ok';
    } catch (error) {
      const code = codeOf(error);
      if (code !== undefined && GONE.has(code)) return 'gone';
      this.logger.warn({ err: error, status: statusOf(error), code }, 'Discord refused a message edit');
      return 'failed';
    }
  }

  async post(interaction: NonNullable<MessageRef['interaction']>, placeholder: { title: string; description: string }): Promise<string> {
    const message = (await this.rest.post(Routes.webhook(interaction.applicationId, interaction.token), {
      body: { embeds: [placeholder], allowed_mentions: { parse: [] } },
      auth: false,
    })) as { id: string };
    return message.id;
  }

  /** Discord will not edit this old message again, or there is none: post the card afresh in the same channel. */
  private async replace(ref: MessageRef, payload: CardPayload, files: Upload[], interactionExpired: boolean, mayEdit: () => boolean): Promise<PublishResult> {
    try {
      await this.botTokenGate.take();
      const message = (await whileOwned(mayEdit, (signal) => this.rest.post(Routes.channelMessages(ref.channelId), { body: payload, files, signal }))) as { id: string };
      this.logger.info({ old: ref.messageId, fresh: message.id }, ref.messageId ? 'edit cap reached: card posted as a new message' : 'card posted in the channel');
      // The fresh message belongs to the channel, not to the interaction: from now on only the bot token edits it.
      return { ok: true, messageId: message.id, interactionExpired: true };
    } catch (error) {
      if (error instanceof EditWithheld) return withheld(interactionExpired);
      const code = codeOf(error);
      if (code !== undefined && GONE.has(code)) return { ok: false, gone: true, interactionExpired };
      return this.failed(error, interactionExpired);
    }
  }

  private failed(error: unknown, interactionExpired: boolean): PublishResult {
    const status = statusOf(error);
    const code = codeOf(error);
    // discord.js already waited out 429s; any other 4xx is Discord refusing this very payload.
    const permanent = status !== undefined && status >= 400 && status < 500 && status !== 429;
    const tooLarge = status === 413 || code === RESTJSONErrorCodes.RequestEntityTooLarge;
    this.logger.warn({ err: error, status, code }, permanent ? 'Discord refused the card edit' : 'card edit failed; will retry');
    return { ok: false, gone: false, permanent, tooLarge, retryAfterMs: status && status >= 500 ? 5_000 : 3_000, interactionExpired };
  }
}

/**
 * Sends a bot-token request only while this process may edit its cards (`mayEdit`, src/tasks/fleet.ts), as
 * WebhookEdits does for token edits. discord.js holds a request in its queue while the route's bucket is empty, for
 * seconds at times; meanwhile this process's leases may run out and another process edit the card with a newer
 * state. The request is called off then, still queued (or on its way, in which case it left while the leases still
 * held), with EditWithheld, and delivery asks again.
 */
async function whileOwned<T>(mayEdit: () => boolean, send: (signal: AbortSignal) => Promise<T>): Promise<T> {
  if (!mayEdit()) throw new EditWithheld();
  const controller = new AbortController();
  const check = setInterval(() => {
    if (!mayEdit()) controller.abort();
  }, OWNERSHIP_CHECK_MS);
  check.unref();
  try {
    return await send(controller.signal);
  } catch (error) {
    throw controller.signal.aborted ? new EditWithheld() : error;
  } finally {
    clearInterval(check);
  }
}
