import type { ButtonInteraction, ModalSubmitInteraction, RepliableInteraction } from 'discord.js';
import { UserError } from '../errors';
import { messagesFor } from '../i18n';
import type { Submitted } from '../mj/client';
import type { ImageData } from '../mj/json-body';
import { INTERACTION_TOKEN_MS, type InteractionToken, type SubmitRequest, type TaskSpec } from '../tasks/start';
import { withImages, type ImageSlot } from './attachments';
import type { BotContext } from './context';
import { discordServerLocale } from './locale';
import { memberOf } from './preconditions';

/** A task as a command, button or form describes it: the start path's spec, with the member's images. */
export interface InteractionTaskSpec extends Omit<TaskSpec, 'submit' | 'kind' | 'chosen'> {
  /** How usage names it; default `/command` for commands. */
  kind?: string;
  /** Attachments the submit sends: checked and held in the upload budget before anything else, downloaded after the defer. */
  images?: ImageSlot[];
  /** The start path's submit (src/tasks/start.ts), with the member's images downloaded. */
  submit(request: SubmitRequest & { images: ImageData[] }): Promise<Submitted>;
}

/** A click on a private answer's button (or the form it opened) that starts a task the member chose how to send. */
export type ChoiceInteraction = ButtonInteraction | ModalSubmitInteraction;

/** What a member chose for a start that waited (src/discord/translation-choice.ts): undefined `sent` = as typed. */
export interface MadeChoice {
  /** The options the entry point read the first time (its `replay`). */
  options: Record<string, unknown>;
  sent: string | undefined;
}

/** Starts a task again from a choice: a command's `resume`, the prompt forms'. */
export type Resume = (interaction: ChoiceInteraction, ctx: BotContext, choice: MadeChoice) => Promise<Submitted>;

/** The interaction's token, valid 15 minutes from the interaction. */
export const tokenOf = (interaction: RepliableInteraction): InteractionToken => ({
  applicationId: interaction.applicationId,
  token: interaction.token,
  expiresAt: interaction.createdTimestamp + INTERACTION_TOKEN_MS,
});

/**
 * The largest file Discord takes where the interaction happened (`attachment_size_limit`, per server: boosts raise
 * it), when it says one; older payloads do not.
 */
export const uploadLimitOf = (interaction: RepliableInteraction): number | undefined => {
  const limit: unknown = interaction.attachmentSizeLimit;
  return typeof limit === 'number' && Number.isSafeInteger(limit) && limit > 0 ? limit : undefined;
};

/** A thread counts as its parent channel for the server's allowed channels. */
const ruleChannelOf = (interaction: RepliableInteraction & { channelId: string }): string =>
  (interaction.channel?.isThread() ? interaction.channel.parentId : undefined) ?? interaction.channelId;

/**
 * Starts a task from a slash command, a button or a form through the one start path (src/tasks/start.ts): the
 * interaction is deferred publicly once every rule passed, and its reply becomes the card. Refusals are thrown
 * before the defer, for the router to show privately. From a member's `choice` (a button of a private answer),
 * the click acknowledges that private answer instead, and the card is posted as a message of its own.
 */
export async function startFromInteraction(interaction: RepliableInteraction, ctx: BotContext, spec: InteractionTaskSpec, choice?: MadeChoice): Promise<Submitted> {
  if (!interaction.inGuild() || !interaction.channelId) throw new UserError((t) => t.common.useInServer);
  const where = interaction as RepliableInteraction & { guildId: string; channelId: string };
  const kind = spec.kind ?? (interaction.isChatInputCommand() ? `/${interaction.commandName}` : spec.title(messagesFor('en')));
  return withImages(ctx, spec.images ?? [], async (download) => {
    let images: ImageData[] = [];
    return ctx.starter.start({
      member: memberOf(where),
      ruleChannelId: ruleChannelOf(where),
      discordLocale: discordServerLocale(interaction),
      spec: { ...spec, kind, ...(choice ? { chosen: { sent: choice.sent } } : {}), submit: (request) => spec.submit({ ...request, images }) },
      interaction: tokenOf(interaction),
      uploadLimit: uploadLimitOf(interaction),
      firstCardInReply: !choice,
      ready: async () => {
        if (!interaction.deferred && !interaction.replied) {
          if (choice) await (interaction as ButtonInteraction).deferUpdate();
          else await interaction.deferReply();
        }
        images = await download();
      },
    });
  });
}
