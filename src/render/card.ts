import { createHash } from 'node:crypto';
import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIButtonComponent, type APIEmbed, type APIEmbedField } from 'discord.js';
import { messagesFor, type Messages } from '../i18n';
import { formatNumber } from '../i18n/format';
import { parseAction } from '../mj/actions';
import { explainApiText } from '../mj/translate';
import type { CardState, TrackedTask } from '../store/records';
import { isFinal } from './state';
import { EDIT_PROMPT_PREFIX, mapButtons, ownButtonId, SEED_PREFIX, STAR_PREFIX, type ButtonSlot } from './button-rows';
import { fitEmbed } from './embed';
import { escapeMarkdown, parseTextResult, progressBar, truncate, truncateEscaped } from './text';

/** @internal */
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
  /** Members who star the image: the count on its ⭐ button (none given: 0). */
  stars?: number;
}

/** An http(s) URL as a link target that cannot break out of `[name](url)`, or undefined when it is not one. */
function linkTarget(url: string): string | undefined {
  if (!/^https?:\/\//i.test(url) || !URL.canParse(url)) return undefined;
  return new URL(url).href.replace(/[()<>\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** The link to a task's card in Discord, while the bot knows where it is (a detached card may be gone). */
export function cardUrl(task: Pick<TrackedTask, 'message' | 'lifecycle'>): string | undefined {
  const { guildId, channelId, messageId } = task.message;
  return messageId && task.lifecycle !== 'detached' ? `https://discord.com/channels/${guildId}/${channelId}/${messageId}` : undefined;
}

/** The catalogue of a card's language (records from before cards had one are English). */
const cardMessages = (task: Pick<TrackedTask, 'locale'>): Messages => messagesFor(task.locale ?? 'en');

/** The Status field: what the state says, with the figures the API gave (progress, times, its fail reason). */
function statusLine(task: TrackedTask, t: Messages): string {
  const { view, state } = task;
  switch (state.kind) {
    case 'needs-prompt':
      return t.card.needsPrompt;
    case 'stalled':
      return t.card.stalled(view.progress);
    case 'api-trouble':
      return t.card.apiTrouble(view.progress);
    case 'done': {
      const started = view.startTime ?? task.submittedAt;
      return view.finishTime ? t.card.doneIn(view.finishTime - started) : t.card.done;
    }
    case 'failed':
    case 'cancelled': {
      const own = state.kind === 'failed' ? state.reason : undefined;
      const reason = truncateEscaped(escapeMarkdown(truncate(own || explainApiText(view.failReason, t) || t.card.noReason, 300)), 900);
      return state.kind === 'cancelled' ? t.card.cancelled(reason) : t.card.failed(reason);
    }
    case 'running':
      return `🎨 ${progressBar(view.progress)}`;
    case 'queued':
      return state.position ? t.card.queuedAt(state.position) : t.card.nextInLine;
    case 'waiting':
      return t.card.waiting;
  }
}

const STATE_COLORS: Record<CardState['kind'], number> = {
  waiting: COLORS.queued,
  queued: COLORS.queued,
  'needs-prompt': COLORS.queued,
  running: COLORS.running,
  stalled: COLORS.stalled,
  'api-trouble': COLORS.stalled,
  done: COLORS.success,
  failed: COLORS.failure,
  cancelled: COLORS.failure,
};

/** Text results (describe, shorten) as fields: the prompts a member can pick with the numbered buttons. */
function textResultFields(task: TrackedTask, t: Messages): APIEmbedField[] {
  const { view } = task;
  if (task.state.kind !== 'done' || (view.action !== 'DESCRIBE' && view.action !== 'SHORTEN')) return [];
  const { tokens, prompts, details } = parseTextResult(view.finalPrompt || view.description);
  const fields: APIEmbedField[] = [];
  if (tokens) fields.push({ name: t.card.tokens, value: truncateEscaped(escapeMarkdown(tokens), 1024) });
  prompts
    .slice(0, view.action === 'DESCRIBE' ? 4 : 5)
    .forEach((prompt, i) => fields.push({ name: t.card.promptN(i + 1), value: truncateEscaped(escapeMarkdown(prompt), 1024) }));
  if (details) fields.push({ name: t.card.details, value: truncateEscaped(escapeMarkdown(details), 1024) });
  if (prompts.length > 0 && view.buttons.length > 0) {
    fields.push({ name: t.card.next, value: view.action === 'DESCRIBE' ? t.card.pickDescribe : t.card.pickShorten });
  }
  return fields;
}

/** Actions whose result is not a Midjourney image (no seed to ask for). */
const NO_SEED = /^(DESCRIBE|SHORTEN|VIDEO|SWAP_FACE|SWAP_VIDEO_FACE)$/;

/**
 * Whether a finished task shows the bot's Seed button.
 * @internal
 */
export function offersSeed(task: TrackedTask): boolean {
  const { view } = task;
  // The open-source proxy (buttons drawn by the bot) has no /image-seed.
  if (task.state.kind !== 'done' || view.classic || NO_SEED.test(view.action) || view.videoUrls.length > 0) return false;
  return Boolean(view.imageUrl || view.imageUrls.length || task.files.length);
}

/**
 * The picture the card shows: the attached image once done, else the API's preview (not after a failure, nor one
 * the bot refused to fetch); undefined when none.
 */
function shownImage(task: TrackedTask): string | undefined {
  const { state, view } = task;
  const imageFile = task.files.find((f) => /\.(png|jpe?g|webp|gif)$/i.test(f.name));
  if (state.kind === 'done' && imageFile) return `attachment://${imageFile.name}`;
  if (state.kind === 'failed' || task.blockedUrls?.includes(view.imageUrl)) return undefined;
  return linkTarget(view.imageUrl);
}

/**
 * The finished image at the API's own address, for a thumbnail in a list (/favorites, /history): Discord's copy
 * on the card is not known; one the bot refused to fetch is not shown.
 */
export function resultPicture(task: TrackedTask): string | undefined {
  if (task.state.kind !== 'done' || /^(DESCRIBE|SHORTEN)$/.test(task.view.action) || task.blockedUrls?.includes(task.view.imageUrl)) return undefined;
  return linkTarget(task.view.imageUrl);
}

/**
 * Whether a finished card shows an image members can star: every image result (grids, upscales, variations, zooms,
 * pans, region edits, blends, edits), not the text of describe and shorten, and a video only with its picture.
 */
export function offersStar(task: TrackedTask): boolean {
  return task.state.kind === 'done' && !/^(DESCRIBE|SHORTEN)$/.test(task.view.action) && shownImage(task) !== undefined;
}

/**
 * The bot's own buttons (not Midjourney's): Seed and ⭐ (with its count) on finished images, Edit prompt while
 * the API waits for one.
 * @internal
 */
export function botButtons(task: TrackedTask, stars = 0): APIButtonComponent[] {
  const t = cardMessages(task);
  // A task id too long for a custom_id (none seen; Discord takes 100 characters) gets no button of the bot's own.
  if (task.state.kind === 'needs-prompt') {
    const id = ownButtonId(EDIT_PROMPT_PREFIX, task.taskId);
    return id ? [{ type: ComponentType.Button, style: ButtonStyle.Primary, custom_id: id, label: t.card.editPrompt, emoji: { name: '✏️' } }] : [];
  }
  const buttons: APIButtonComponent[] = [];
  const seed = offersSeed(task) ? ownButtonId(SEED_PREFIX, task.taskId) : undefined;
  if (seed) buttons.push({ type: ComponentType.Button, style: ButtonStyle.Secondary, custom_id: seed, label: t.card.seed, emoji: { name: '🌱' } });
  const star = offersStar(task) ? ownButtonId(STAR_PREFIX, task.taskId) : undefined;
  if (star) buttons.push({ type: ComponentType.Button, style: ButtonStyle.Secondary, custom_id: star, label: formatNumber(t.locale, stars), emoji: { name: '⭐' } });
  return buttons;
}

function resultLinks(task: TrackedTask, t: Messages): string {
  const skip = new Set([...task.files.map((f) => f.sourceUrl), ...(task.blockedUrls ?? [])]);
  const { videoUrls, imageUrls, imageUrl, action } = task.view;
  const textResult = action === 'DESCRIBE' || action === 'SHORTEN';
  // Numbered by position in their own list, so "Video 4" is the fourth video whatever was attached.
  const numbered = [
    ...videoUrls.map((url, i) => ({ url, name: t.card.videoN(i + 1) })),
    ...imageUrls.map((url, i) => ({ url, name: t.card.imageN(i + 1) })).slice(imageUrls.length > 1 ? 0 : 1),
    // The one image of a task that has no list, when it could not be attached.
    ...(imageUrls.length <= 1 && videoUrls.length === 0 && imageUrl && !textResult ? [{ url: imageUrl, name: t.card.image }] : []),
  ];
  return numbered
    .filter(({ url }) => !skip.has(url))
    .map(({ url, name }) => ({ name, target: linkTarget(url) }))
    .filter((link): link is { name: string; target: string } => link.target !== undefined)
    .slice(0, 8)
    .map(({ target, name }) => `[${name}](${target})`)
    .join(' · ');
}

/** Why the final card shows fewer files than the task made. */
function resultNotes(task: TrackedTask, t: Messages): string {
  const notes: string[] = [];
  const blocked = task.blockedUrls?.length ?? 0;
  if (blocked) notes.push(t.card.blocked(blocked));
  if (task.filesRefused) notes.push(t.card.filesRefused);
  return notes.join('\n');
}

/** The Vary button of the requester's variation strength (/settings) is the blue one; the other is grey. */
const varyHighlight = (strength: 'high' | 'low') => (customId: string): boolean | undefined => {
  const action = parseAction(customId);
  return action.kind === 'vary' ? action.strength === (strength === 'high' ? 'strong' : 'subtle') : undefined;
};

/**
 * Task in, Discord message payload out. Pure: the same task always renders the same card. What to draw comes from
 * the task's state (set by the tracker); the view gives the figures and pictures the API reported.
 */
export function renderCard(task: TrackedTask, options: RenderOptions = {}): RenderedCard {
  const { view, state } = task;
  const t = cardMessages(task);
  const fields: APIEmbedField[] = [{ name: t.card.status, value: statusLine(task, t) }];
  if (!isFinal(state)) fields.push({ name: t.card.started, value: `<t:${Math.floor(task.submittedAt / 1000)}:R>`, inline: true });
  if (task.mode) {
    // A member who asked for more than their roles allow sees why the task runs slower.
    const capped = task.cappedFrom ? t.card.capped(task.cappedFrom, task.mode) : '';
    fields.push({ name: t.card.mode, value: `${task.mode}${capped}`, inline: true });
  }
  fields.push(...textResultFields(task, t));
  const links = state.kind === 'done' ? resultLinks(task, t) : '';
  if (links) fields.push({ name: task.files.length ? t.card.more : t.card.results, value: links.length <= 1024 ? links : links.slice(0, links.lastIndexOf(' · ', 1021)) });
  const notes = state.kind === 'done' ? resultNotes(task, t) : '';
  if (notes) fields.push({ name: t.card.note, value: notes });

  // With a translation both prompts share the description (4,096 characters): each gets a little less room.
  const [room, escaped] = task.sentPrompt ? [1200, 1900] : [1500, 3000];
  const inert = (text: string) => truncateEscaped(escapeMarkdown(truncate(text, room)), escaped);
  const prompt = task.prompt ? `**${inert(task.prompt)}**\n` : '';
  const sent = task.sentPrompt ? `${t.card.sentAs(inert(task.sentPrompt))}\n` : '';
  const embed: APIEmbed = fitEmbed({
    title: truncate(task.title, 256),
    description: `${prompt}${sent}${t.card.requestedBy(`<@${task.requesterId}>`)}`,
    color: STATE_COLORS[state.kind],
    fields,
    footer: { text: truncate(t.card.footer(task.taskId), 2048) },
  });
  const image = shownImage(task);
  if (image) embed.image = { url: image };

  const showButtons = state.kind === 'done' || state.kind === 'needs-prompt';
  const mapped = showButtons
    ? mapButtons(task.taskId, view.buttons, {
        ...(options.hideAction ? { hide: options.hideAction } : {}),
        ...(task.variation ? { highlight: varyHighlight(task.variation) } : {}),
        extra: [...(options.extraButtons ?? []), ...botButtons(task, options.stars)],
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
