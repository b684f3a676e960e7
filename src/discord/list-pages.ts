import type { ButtonInteraction, RepliableInteraction } from 'discord.js';
import { pageOf } from '../community/history';
import { HISTORY_KINDS, type HistoryKind } from '../community/kinds';
import { UserError } from '../errors';
import { PAGE_PREFIX, renderFavorites, renderHistory, type ListPayload } from '../render/lists';
import type { TrackedTask } from '../store';
import type { BotContext } from './context';
import { memberMessages } from './locale';

/** A kind /history filters by, or undefined for a value that is none (all kinds). */
export const historyKindOf = (value: string | null | undefined): Exclude<HistoryKind, 'other'> | undefined =>
  (HISTORY_KINDS as readonly string[]).includes(value ?? '') ? (value as Exclude<HistoryKind, 'other'>) : undefined;

/** The clicker's own page of /favorites: their stars in this server, newest first, with each image's count. */
export async function favoritesPage(interaction: RepliableInteraction, ctx: BotContext, page: number): Promise<ListPayload> {
  const { guildId, userId } = whose(interaction);
  const slice = pageOf(await ctx.stars.favoritesOf(guildId, userId), page);
  const items = await Promise.all(
    slice.items.map(async (entry) => {
      const [task, stars] = await Promise.all([ctx.tracker.find(entry.taskId), ctx.stars.get(entry.taskId)]);
      // An entry whose star or task is gone is left out (the sweep drops it for good).
      return task && stars && userId in stars.by ? { task, stars: Object.keys(stars.by).length } : undefined;
    }),
  );
  return renderFavorites(memberMessages(interaction), { ...slice, items: items.filter((item) => item !== undefined) });
}

/** The clicker's own page of /history in this server, newest first, of `kind` only when given. */
export async function historyPage(interaction: RepliableInteraction, ctx: BotContext, page: number, kind: Exclude<HistoryKind, 'other'> | undefined): Promise<ListPayload> {
  const { guildId, userId } = whose(interaction);
  const slice = pageOf(await ctx.history.of(guildId, userId, kind), page);
  const tasks = await Promise.all(slice.items.map((entry) => ctx.tracker.find(entry.taskId)));
  // Tasks are the member's own by how the list is made; checked again, as a record is what the page shows.
  const own = tasks.filter((task): task is TrackedTask => task !== undefined && task.requesterId === userId && task.message.guildId === guildId);
  return renderHistory(memberMessages(interaction), { ...slice, items: own }, kind);
}

/** The member and server a list belongs to: always the one who asks. */
function whose(interaction: RepliableInteraction): { guildId: string; userId: string } {
  if (!interaction.guildId) throw new UserError((t) => t.common.useInServer);
  return { guildId: interaction.guildId, userId: interaction.user.id };
}

/** ◀ ▶ under a private list: the page is drawn again in place, for whoever clicks (only its member sees it). */
export async function handlePageButton(interaction: ButtonInteraction, ctx: BotContext): Promise<void> {
  const [list, ...rest] = interaction.customId.slice(PAGE_PREFIX.length).split(':');
  const page = Number(rest.at(-1));
  const payload = list === 'fav' ? await favoritesPage(interaction, ctx, page) : await historyPage(interaction, ctx, page, historyKindOf(rest[0]));
  await interaction.update({ content: payload.content, embeds: payload.embeds, components: payload.components, allowedMentions: payload.allowed_mentions });
}

export const isPageButton = (customId: string) => customId.startsWith(PAGE_PREFIX);
