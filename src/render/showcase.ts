import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIButtonComponent, type APIEmbed } from 'discord.js';
import { messagesFor } from '../i18n';
import type { TrackedTask } from '../store/records';
import { fitEmbed } from './embed';
import { escapeMarkdown, truncate, truncateEscaped } from './text';

/** A showcase post as Discord REST wants it (the image is uploaded with it as `image`). */
export interface ShowcasePayload {
  content: string;
  embeds: APIEmbed[];
  components: APIActionRowComponent<APIButtonComponent>[];
  attachments: Array<{ id: number; filename: string }>;
  allowed_mentions: { parse: [] };
}

const GOLD = 0xfee75c;

/** The post's first line: the count, the one part later stars change (an edit sends only this). */
export const showcaseCount = (task: Pick<TrackedTask, 'locale'>, stars: number): string => messagesFor(task.locale ?? 'en').showcase.count(stars);

/**
 * An image's post in its server's showcase channel, in the card's language: the count, the prompt escaped as on the
 * card, whose it is (a mention that pings nobody), the picture (`image`: an uploaded file's name, else a link the
 * card itself shows) and a link button back to the card.
 */
export function renderShowcase(task: TrackedTask, stars: number, card: string, image: { file: string } | { url: string }): ShowcasePayload {
  const t = messagesFor(task.locale ?? 'en');
  const prompt = task.prompt ? `**${truncateEscaped(escapeMarkdown(truncate(task.prompt, 1500)), 3000)}**\n` : '';
  const embed = fitEmbed({
    title: truncate(task.title, 256),
    description: `${prompt}${t.showcase.by(`<@${task.requesterId}>`)}`,
    color: GOLD,
    image: { url: 'file' in image ? `attachment://${image.file}` : image.url },
    footer: { text: t.card.footer(task.taskId) },
  });
  const link: APIButtonComponent = { type: ComponentType.Button, style: ButtonStyle.Link, url: card, label: t.showcase.open };
  return {
    content: showcaseCount(task, stars),
    embeds: [embed],
    components: [{ type: ComponentType.ActionRow, components: [link] }],
    attachments: 'file' in image ? [{ id: 0, filename: image.file }] : [],
    allowed_mentions: { parse: [] },
  };
}
