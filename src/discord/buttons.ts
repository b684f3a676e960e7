import { MessageFlags, type ButtonInteraction } from 'discord.js';
import { UserError } from '../errors';
import { providerRejects } from '../mj/providers';
import { BUTTON_PREFIX } from '../render/buttons';
import type { BotContext } from './context';
import { startTask } from './start-task';

/** A second click on the same button within this window is a double click, not a new request. */
const DOUBLE_CLICK_MS = 30_000;
const inFlight = new Set<string>();

/** "Upscale U2", "Variation V1", … : the title of the card a click starts. */
export function actionTitle(customId: string, label: string): string {
  const upscale = /::upsample::(\d)/i.exec(customId);
  if (upscale) return `Upscale U${upscale[1]}`;
  const variation = /::variation::(\d)/i.exec(customId);
  if (variation) return `Variation V${variation[1]}`;
  if (/::reroll::/i.test(customId)) return 'Reroll';
  const pan = /::pan_(\w+?)::/i.exec(customId);
  if (pan) return `Pan ${pan[1]}`;
  return label || 'Action';
}

/** U1–U4 make the same picture every time: once is enough (as in Midjourney). */
const isOneShot = (customId: string) => /::upsample::\d/i.test(customId);

export async function handleMjButton(interaction: ButtonInteraction, ctx: BotContext): Promise<void> {
  const key = interaction.customId;
  const target = await ctx.store.buttons.get(key);
  if (!target || target.guildId !== interaction.guildId) {
    throw new UserError('This button is no longer available. Run the command again to get fresh buttons.');
  }
  if (target.ownerId !== interaction.user.id) {
    throw new UserError(`Only <@${target.ownerId}>, who asked for this image, can use its buttons. Try /imagine to make your own.`);
  }
  if (/^MJ::Inpaint::/i.test(target.customId)) {
    throw new UserError(
      'Vary (Region) needs a mask painted on the image, which Discord cannot do yet. Try Vary (Subtle) or Vary (Strong), or Zoom/Pan, instead.',
    );
  }
  if (providerRejects(ctx.provider, target.customId)) {
    throw new UserError(`“${target.label}” is not offered by this server's Midjourney provider (${ctx.provider.title}).`);
  }
  const previous = await ctx.store.clicks.get(key);
  const now = ctx.clock();
  if (inFlight.has(key) || (previous && (isOneShot(target.customId) || now - previous.at < DOUBLE_CLICK_MS))) {
    const where = previous?.messageUrl ? ` See ${previous.messageUrl}` : '';
    await interaction.reply({ content: `“${target.label}” is already on its way.${where}`, flags: MessageFlags.Ephemeral });
    return;
  }
  inFlight.add(key);
  try {
    await interaction.deferReply();
    const parent = await ctx.store.tasks.get(target.taskId);
    const taskId = await startTask(interaction, ctx, {
      title: actionTitle(target.customId, target.label),
      prompt: parent?.prompt ?? '',
      mode: parent?.mode,
      parentTaskId: target.taskId,
      submit: (common) => ctx.mj.submitAction({ taskId: target.taskId, customId: target.customId, ...common }, parent?.mode),
    });
    const reply = await interaction.fetchReply().catch(() => undefined);
    await ctx.store.clicks.set(key, { startedTaskId: taskId, at: now, messageUrl: reply?.url });
  } finally {
    inFlight.delete(key);
  }
}

export const isMjButton = (customId: string) => customId.startsWith(BUTTON_PREFIX);
