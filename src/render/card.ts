import { createHash } from 'node:crypto';
import type { APIActionRowComponent, APIButtonComponent, APIEmbed, APIEmbedField } from 'discord.js';
import { explainApiText } from '../mj/translate';
import type { TrackedTask } from '../store/types';
import { mapButtons, type ButtonSlot } from './buttons';
import { escapeMarkdown, formatDuration, numberedPrompts, progressBar, truncate } from './text';

export const COLORS = { queued: 0x99aab5, running: 0x5865f2, success: 0x57f287, failure: 0xed4245, stalled: 0xfee75c } as const;

/** A card as Discord REST wants it; `files` names attachments the caller uploads with it. */
export interface CardPayload {
  content: string;
  embeds: APIEmbed[];
  components: APIActionRowComponent<APIButtonComponent>[];
  /** Attachments the message must end up with (uploads are matched by name). */
  attachments: Array<{ id: number; filename: string }>;
  allowed_mentions: { parse: [] };
}

export interface RenderedCard {
  payload: CardPayload;
  slots: ButtonSlot[];
  /** Changes exactly when what a member sees changes. */
  hash: string;
}

export interface RenderOptions {
  hideAction?: (customId: string) => boolean;
  extraButtons?: APIButtonComponent[];
}

const isHttp = (url: string) => /^https?:\/\//i.test(url);

function statusLine(task: TrackedTask): string {
  const { view } = task;
  if (task.phase === 'stalled' && view.status !== 'SUCCESS' && view.status !== 'FAILURE') {
    return `🐢 No news from Midjourney for a while; still checking (last: ${view.progress}%)`;
  }
  if (task.apiTrouble && view.status !== 'SUCCESS' && view.status !== 'FAILURE' && view.status !== 'CANCEL') {
    return `⚠️ The Midjourney service is not answering; the bot keeps trying (last: ${view.progress}%)`;
  }
  switch (view.status) {
    case 'SUCCESS': {
      const started = view.startTime ?? task.submittedAt;
      const took = view.finishTime ? ` in ${formatDuration(view.finishTime - started)}` : '';
      return `✅ Done${took}`;
    }
    case 'FAILURE':
    case 'CANCEL': {
      const reason = task.endReason || explainApiText(view.failReason) || 'Midjourney did not say why';
      return `❌ ${view.status === 'CANCEL' ? 'Cancelled' : 'Failed'}: ${escapeMarkdown(truncate(reason, 300))}`;
    }
    case 'MODAL':
      return '✏️ Waiting for your prompt: use **Edit prompt** below';
    case 'IN_PROGRESS':
      return `🎨 ${progressBar(view.progress)}`;
    case 'NOT_START':
    case 'SUBMITTED':
    default:
      return view.queuePosition ? `⏳ Queued, position ${view.queuePosition}` : '⏳ Waiting to start';
  }
}

function color(task: TrackedTask): number {
  if (task.view.status === 'SUCCESS') return COLORS.success;
  if (task.view.status === 'FAILURE' || task.view.status === 'CANCEL' || task.endReason) return COLORS.failure;
  if (task.phase === 'stalled') return COLORS.stalled;
  return task.view.status === 'IN_PROGRESS' ? COLORS.running : COLORS.queued;
}

/** Text results (describe, shorten) as fields: the prompts a member can pick with the numbered buttons. */
function textResultFields(task: TrackedTask): APIEmbedField[] {
  const { view } = task;
  if (view.status !== 'SUCCESS') return [];
  const text = view.finalPrompt || view.description;
  if (view.action === 'DESCRIBE') {
    return numberedPrompts(text)
      .slice(0, 4)
      .map((prompt, i) => ({ name: `Prompt ${i + 1}`, value: truncate(escapeMarkdown(prompt), 1024) }));
  }
  if (view.action === 'SHORTEN') {
    const [tokensPart, promptsPart] = text.split(/##\s*Shortened prompts/i);
    const tokens = (tokensPart ?? '').replace(/##\s*Important tokens/i, '').trim();
    const fields: APIEmbedField[] = tokens ? [{ name: 'Important tokens', value: truncate(escapeMarkdown(tokens), 1024) }] : [];
    numberedPrompts(promptsPart ?? '')
      .slice(0, 5)
      .forEach((prompt, i) => fields.push({ name: `Prompt ${i + 1}`, value: truncate(escapeMarkdown(prompt), 1024) }));
    return fields;
  }
  return [];
}

function resultLinks(task: TrackedTask): string {
  const attached = new Set(task.files.map((f) => f.sourceUrl));
  const links = [...task.view.videoUrls, ...task.view.imageUrls.slice(task.view.imageUrls.length > 1 ? 0 : 1)]
    .filter((url) => isHttp(url) && !attached.has(url))
    .slice(0, 8)
    .map((url, i) => `[${task.view.videoUrls.includes(url) ? 'Video' : 'Image'} ${i + 1}](${url})`);
  return links.join(' · ');
}

/** Task in, Discord message payload out. Pure: the same task always renders the same card. */
export function renderCard(task: TrackedTask, options: RenderOptions = {}): RenderedCard {
  const { view } = task;
  const running = view.status !== 'SUCCESS' && view.status !== 'FAILURE' && view.status !== 'CANCEL';
  const fields: APIEmbedField[] = [{ name: 'Status', value: statusLine(task) }];
  if (running) fields.push({ name: 'Started', value: `<t:${Math.floor(task.submittedAt / 1000)}:R>`, inline: true });
  if (task.mode) fields.push({ name: 'Mode', value: task.mode, inline: true });
  fields.push(...textResultFields(task));
  const links = view.status === 'SUCCESS' ? resultLinks(task) : '';
  if (links) fields.push({ name: task.files.length ? 'More' : 'Results', value: truncate(links, 1024) });

  const prompt = task.prompt ? `**${escapeMarkdown(truncate(task.prompt, 1500))}**\n` : '';
  const embed: APIEmbed = {
    title: truncate(task.title, 256),
    description: `${prompt}Requested by <@${task.requesterId}>`,
    color: color(task),
    fields,
    footer: { text: `Task ${task.taskId}` },
  };
  const imageFile = task.files.find((f) => /\.(png|jpe?g|webp|gif)$/i.test(f.name));
  if (view.status === 'SUCCESS' && imageFile) embed.image = { url: `attachment://${imageFile.name}` };
  else if (view.imageUrl && isHttp(view.imageUrl) && view.status !== 'FAILURE') embed.image = { url: view.imageUrl };

  const showButtons = view.status === 'SUCCESS' || view.status === 'MODAL';
  const mapped = showButtons
    ? mapButtons(task.taskId, view.buttons, {
        ...(options.hideAction ? { hide: options.hideAction } : {}),
        ...(options.extraButtons ? { extra: options.extraButtons } : {}),
      })
    : { rows: [], slots: [] };
  const payload: CardPayload = {
    content: '',
    embeds: [embed],
    components: mapped.rows,
    attachments: task.files.map((file, id) => ({ id, filename: file.name })),
    allowed_mentions: { parse: [] },
  };
  const hash = createHash('sha1').update(JSON.stringify(payload)).digest('hex');
  return { payload, slots: mapped.slots, hash };
}

/** A short error card for a task the bot could not start. */
export function renderProblem(title: string, message: string): CardPayload {
  return {
    content: '',
    embeds: [{ title: truncate(title, 256), description: truncate(message, 4000), color: COLORS.failure }],
    components: [],
    attachments: [],
    allowed_mentions: { parse: [] },
  };
}
