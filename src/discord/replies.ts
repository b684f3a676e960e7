import { ButtonStyle, ComponentType, DiscordAPIError, MessageFlags, RESTJSONErrorCodes, type APIActionRowComponent, type APIButtonComponent, type RepliableInteraction } from 'discord.js';
import { UserError, type Offer } from '../errors';
import type { Messages } from '../i18n';
import type { Logger } from '../logger';
import { isMjApiError } from '../mj/errors';
import { isStoreDown } from '../store';
import { memberMessages } from './locale';

/**
 * A click on a private answer's button (or the form it opened) acknowledged in place (a member's choice about a
 * translated prompt, src/discord/translation-choice.ts): its reply is that private answer, not a public placeholder.
 */
const updatedInPlace = (interaction: RepliableInteraction): boolean =>
  (interaction.isMessageComponent() || interaction.isModalSubmit()) && Boolean(interaction.message?.flags.has(MessageFlags.Ephemeral)) && !interaction.ephemeral;

/**
 * Tells the member, privately, what went wrong. A public placeholder left by a defer is removed first,
 * so a failed request does not litter the channel. Never throws.
 */
async function replyPrivately(interaction: RepliableInteraction, content: string, components: Array<APIActionRowComponent<APIButtonComponent>> = []): Promise<void> {
  const body = { content: content.slice(0, 2000), flags: MessageFlags.Ephemeral as const, allowedMentions: { parse: [] }, components };
  try {
    if (!interaction.deferred && !interaction.replied) {
      await interaction.reply(body);
      return;
    }
    if (interaction.deferred && !interaction.replied && updatedInPlace(interaction)) {
      // The private answer itself says what went wrong; its buttons stay, to try again.
      await interaction.editReply({ content: body.content, allowedMentions: body.allowedMentions, ...(components.length ? { components } : {}) });
      return;
    }
    if (interaction.deferred && !interaction.replied && !interaction.ephemeral) {
      await interaction.deleteReply().catch(() => undefined);
    }
    if (interaction.deferred && !interaction.replied && interaction.ephemeral) {
      await interaction.editReply({ content: body.content, allowedMentions: body.allowedMentions, components });
    } else {
      await interaction.followUp(body);
    }
  } catch {
    // The interaction is gone (expired, or Discord refused): nothing more can be said to this member.
  }
}

/** The buttons a refusal offers, as one row. */
const offerRow = (offers: readonly Offer[], t: Messages): Array<APIActionRowComponent<APIButtonComponent>> =>
  offers.length === 0
    ? []
    : [
        {
          type: ComponentType.ActionRow,
          components: offers.slice(0, 5).map((offer) => ({
            type: ComponentType.Button,
            custom_id: offer.customId,
            label: offer.label(t).slice(0, 80),
            style: offer.primary ? ButtonStyle.Primary : ButtonStyle.Secondary,
          })),
        },
      ];

/**
 * Expected errors show their message, in the member's language; unexpected ones are logged with context and
 * shown as a short generic text.
 */
export async function reportError(interaction: RepliableInteraction, error: unknown, logger: Logger): Promise<void> {
  const t = memberMessages(interaction);
  const where = { interactionId: interaction.id, user: interaction.user.id, guild: interaction.guildId };
  if (error instanceof UserError) {
    logger.info({ ...where, reason: error.detail ?? error.userMessage }, 'request refused');
    return replyPrivately(interaction, error.text(t), offerRow(error.offers, t));
  }
  if (isMjApiError(error)) {
    const level = error.kind === 'auth' ? 'error' : error.kind === 'unavailable' || error.kind === 'bad-response' ? 'warn' : 'info';
    logger[level](
      { ...where, kind: error.kind, code: error.code, status: error.httpStatus, err: error },
      error.kind === 'auth'
        ? 'the Midjourney API refused our credentials: check MJ_API_KEY, MJ_AUTH_HEADER and MJ_PROVIDER'
        : 'Midjourney API error',
    );
    return replyPrivately(interaction, error.userText(t));
  }
  if (isStoreDown(error)) {
    // Nothing was half-started: every start reads the store before it reserves, defers or sends anything.
    logger.warn({ ...where, err: error }, 'the store cannot be reached: a request refused');
    return replyPrivately(interaction, t.common.storeDown);
  }
  if (error instanceof DiscordAPIError && Number(error.code) === RESTJSONErrorCodes.UnknownInteraction) {
    logger.warn({ ...where }, 'interaction expired before we answered');
    return;
  }
  logger.error({ ...where, err: error }, 'unexpected error while handling an interaction');
  return replyPrivately(interaction, t.common.genericFailure);
}
