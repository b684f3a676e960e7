import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIButtonComponent, type APIEmbed, type APIEmbedField } from 'discord.js';
import type { Messages } from '../i18n';
import { formatNumber } from '../i18n/format';
import type { TrackedTask } from '../store/records';
import { cardUrl, resultPicture } from './card';
import { fitEmbed } from './embed';
import { escapeMarkdown, truncate, truncateEscaped } from './text';

/**
 * The pager of a private list: `mjpage:fav:<page>` (/favorites), `mjpage:hist:<kind or all>:<page>` (/history).
 * The list is always the clicker's own: the id says which page, never whose.
 */
export const PAGE_PREFIX = 'mjpage:';

/** One page of a list, as src/community/history.ts cuts it. */
export interface ListPage<T> {
  items: T[];
  page: number;
  pages: number;
  total: number;
}

/** A private list's message: a line, one embed per entry (at most 5), and ◀ ▶ when there is more than one page. */
export interface ListPayload {
  content: string;
  embeds: APIEmbed[];
  components: APIActionRowComponent<APIButtonComponent>[];
  allowed_mentions: { parse: [] };
}

const PROMPT_CHARS = 300;
const GOLD = 0xfee75c;
const GREY = 0x99aab5;

/** ◀ and ▶ for `page` of `pages`; a button past either end is there but disabled, so the row keeps its shape. */
function pager(base: string, page: number, pages: number): APIActionRowComponent<APIButtonComponent>[] {
  if (pages <= 1) return [];
  const button = (to: number, emoji: string): APIButtonComponent => ({
    type: ComponentType.Button,
    style: ButtonStyle.Secondary,
    custom_id: `${PAGE_PREFIX}${base}:${to}`,
    emoji: { name: emoji },
    disabled: to < 1 || to > pages,
  });
  return [{ type: ComponentType.ActionRow, components: [button(page - 1, '◀️'), button(page + 1, '▶️')] }];
}

/** An entry's embed: the task's title linking to its card, its prompt as on the card, a thumbnail of the result. */
function entryEmbed(task: TrackedTask, lines: string[], fields: APIEmbedField[], color: number): APIEmbed {
  const prompt = task.prompt ? `**${truncateEscaped(escapeMarkdown(truncate(task.prompt, PROMPT_CHARS)), PROMPT_CHARS * 2)}**` : '';
  const url = cardUrl(task);
  const picture = resultPicture(task);
  return fitEmbed({
    title: truncate(task.title, 256),
    ...(url ? { url } : {}),
    description: [prompt, ...lines].filter(Boolean).join('\n') || '\u200b',
    fields,
    color,
    ...(picture ? { thumbnail: { url: picture } } : {}),
  });
}

/** /favorites: the images the member starred, with whose they are and their stars. */
export function renderFavorites(t: Messages, page: ListPage<{ task: TrackedTask; stars: number }>): ListPayload {
  const embeds = page.items.map(({ task, stars }) =>
    entryEmbed(task, [t.favorites.by(`<@${task.requesterId}>`)], [{ name: t.favorites.stars, value: `⭐ ${formatNumber(t.locale, stars)}`, inline: true }], GOLD),
  );
  return {
    content: page.total ? t.favorites.heading(page.page, page.pages, page.total) : t.favorites.none,
    embeds,
    components: pager('fav', page.page, page.pages),
    allowed_mentions: { parse: [] },
  };
}

/** A task's state in a word, for /history. */
function stateWord(task: TrackedTask, t: Messages): string {
  switch (task.state.kind) {
    case 'waiting':
      return t.history.waiting;
    case 'queued':
      return t.history.queued;
    case 'running':
      return t.history.running(task.view.progress);
    case 'needs-prompt':
      return t.history.needsPrompt;
    case 'stalled':
      return t.history.stalled;
    case 'api-trouble':
      return t.history.apiTrouble;
    case 'done':
      return t.history.done;
    case 'failed':
      return t.history.failed;
    case 'cancelled':
      return t.history.cancelled;
  }
}

/** /history: the member's own tasks, `kind` (a choice value) when filtered. */
export function renderHistory(t: Messages, page: ListPage<TrackedTask>, kind: keyof Messages['choices'] | undefined): ListPayload {
  const embeds = page.items.map((task) =>
    entryEmbed(
      task,
      [],
      [
        { name: t.card.status, value: stateWord(task, t), inline: true },
        ...(task.mode ? [{ name: t.card.mode, value: task.mode, inline: true }] : []),
        { name: t.history.started, value: `<t:${Math.floor(task.submittedAt / 1000)}:R>`, inline: true },
      ],
      task.state.kind === 'done' ? GOLD : GREY,
    ),
  );
  const named = kind ? t.choices[kind] : '';
  const empty = kind ? t.history.noneOfKind(named) : t.history.none;
  return {
    content: page.total ? t.history.heading(page.page, page.pages, page.total, named) : empty,
    embeds,
    components: pager(`hist:${kind ?? 'all'}`, page.page, page.pages),
    allowed_mentions: { parse: [] },
  };
}
