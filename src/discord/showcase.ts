import { DiscordAPIError, RESTJSONErrorCodes, Routes, type APIMessage, type Guild, type REST } from 'discord.js';
import type { Config } from '../config';
import { starCount, type Stars } from '../community/stars';
import { messagesFor } from '../i18n';
import type { ServerSettings } from '../limits/server-settings';
import type { Logger } from '../logger';
import type { Downloader } from '../net/downloader';
import { cardUrl } from '../render/card';
import { renderShowcase } from '../render/showcase';
import type { ShowcaseSetting, TrackedTask } from '../store';
import { everyoneSees } from './preconditions';
import type { StarCards } from './star-cards';

/** Discord's answers that say the bot may not post in a channel: the showcase is reported, and stops. */
const REFUSED = new Set<number>([RESTJSONErrorCodes.MissingPermissions, RESTJSONErrorCodes.MissingAccess, RESTJSONErrorCodes.UnknownChannel]);
/** Discord's answers that say the card itself is gone: nothing to show or to link back to. */
const CARD_GONE = new Set<number>([RESTJSONErrorCodes.UnknownMessage, RESTJSONErrorCodes.UnknownChannel, RESTJSONErrorCodes.MissingAccess]);

const codeOf = (error: unknown) => (error instanceof DiscordAPIError ? Number(error.code) : undefined);

/** The card's message could not be read: it is gone. */
class CardGone extends Error {}

export interface ShowcaseOptions {
  config: Pick<Config, 'DEFAULT_LOCALE' | 'MAX_UPLOAD_BYTES'>;
  rest: REST;
  stars: Stars;
  settings: ServerSettings;
  /** Downloads from Discord's CDN (the card's own attachment). */
  downloads: Downloader;
  starCards: StarCards;
  logger: Logger;
  clock: () => number;
}

/**
 * The showcase channel (/admin showcase): an image that reaches the server's threshold is posted there once
 * (fleet-wide, through a claim on its stars), with the image the card shows, its prompt, whose it is, its stars and
 * a link back to the card. It never shows more than the card did to everyone: only images of the same server, and
 * none from a channel @everyone cannot see. A channel the bot cannot post in is reported once, to the admin who set
 * it (privately) and in the log, and nothing more is posted until an admin sets it again.
 */
export class Showcase {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly options: ShowcaseOptions) {}

  /** A member starred `task`'s image, which now has `count` stars: posted in the background when it is due. */
  consider(guild: Guild, task: TrackedTask, count: number): void {
    const work = this.post(guild, task, count)
      .catch((err: unknown) => this.options.logger.warn({ err, taskId: task.taskId }, 'could not post an image to the showcase'))
      .finally(() => this.running.delete(work));
    this.running.add(work);
  }

  /** Resolves once no post is under way (the app's stop; tests). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running]);
  }

  private async post(guild: Guild, task: TrackedTask, count: number): Promise<void> {
    const { settings, stars, logger } = this.options;
    const showcase = (await settings.get(guild.id)).showcase;
    if (!showcase || showcase.broken || count < showcase.threshold) return;
    const card = cardUrl(task);
    if (!card || task.message.guildId !== guild.id || (await stars.get(task.taskId))?.cardGone) return;
    if (!everyoneSees(guild, task.message.channelId)) {
      logger.info({ taskId: task.taskId, channel: task.message.channelId }, 'not showcased: @everyone cannot see the card’s channel');
      return;
    }
    if (!(await stars.claimShowcase(task.taskId, showcase.channelId))) return;
    let posted: { messageId: string; count: number } | undefined;
    try {
      posted = await this.send(task, showcase.channelId, card);
    } catch (error) {
      await this.failed(guild.id, showcase, task, error);
    } finally {
      await stars.showcased(task.taskId, showcase.channelId, posted?.messageId);
    }
    // Stars that came while it was posted: the post's count follows.
    if (posted && starCount(await stars.get(task.taskId)) !== posted.count) this.options.starCards.changed(task.taskId);
  }

  /** Posts the image's showcase post; resolves to its message and the count it shows. */
  private async send(task: TrackedTask, channelId: string, card: string): Promise<{ messageId: string; count: number } | undefined> {
    const { rest, stars, logger } = this.options;
    const picture = await this.picture(task);
    if (!picture) {
      logger.info({ taskId: task.taskId }, 'not showcased: the card shows no image');
      return undefined;
    }
    const count = starCount(await stars.get(task.taskId));
    const body = renderShowcase(task, count, card, 'data' in picture ? { file: picture.name } : { url: picture.url });
    const files = 'data' in picture ? [{ name: picture.name, data: picture.data }] : [];
    const message = (await rest.post(Routes.channelMessages(channelId), { body, files })) as { id: string };
    logger.info({ taskId: task.taskId, channel: channelId, message: message.id }, 'image posted to the showcase');
    return { messageId: message.id, count };
  }

  /** The picture the card shows, as Discord holds it: its attached image, else the link its embed shows. */
  private async picture(task: TrackedTask): Promise<{ name: string; data: Buffer } | { url: string } | undefined> {
    const { rest, downloads, config } = this.options;
    const { channelId, messageId } = task.message;
    let message: APIMessage;
    try {
      message = (await rest.get(Routes.channelMessage(channelId, messageId!))) as APIMessage;
    } catch (error) {
      const code = codeOf(error);
      throw code !== undefined && CARD_GONE.has(code) ? new CardGone('the card is gone') : error;
    }
    const attachment = message.attachments.find((a) => a.content_type?.startsWith('image/') || /\.(png|jpe?g|webp|gif)$/i.test(a.filename));
    const data = attachment ? await downloads.download(attachment.url, config.MAX_UPLOAD_BYTES) : undefined;
    if (attachment && data) return { name: attachment.filename, data };
    const shown = message.embeds[0]?.image?.url;
    return shown && /^https?:\/\//i.test(shown) ? { url: shown } : undefined;
  }

  /** Why a post failed, and what follows: a card gone is dropped; a channel the bot may not post in is reported once. */
  private async failed(guildId: string, showcase: ShowcaseSetting, task: TrackedTask, error: unknown): Promise<void> {
    const { stars, settings, logger } = this.options;
    if (error instanceof CardGone) {
      logger.info({ taskId: task.taskId }, 'not showcased: the card is gone');
      await stars.cardGone(task.taskId);
      return;
    }
    const code = codeOf(error);
    if (code === undefined || !REFUSED.has(code)) {
      logger.warn({ err: error, taskId: task.taskId }, 'showcase post failed; a later star tries again');
      return;
    }
    const reason = (error as DiscordAPIError).message.slice(0, 200);
    let first = false;
    const updated = await settings.update(guildId, (s) => {
      if (s.showcase?.channelId !== showcase.channelId || s.showcase.broken) return;
      s.showcase.broken = { reason, at: this.options.clock() };
      first = true;
    });
    if (!first) return;
    logger.warn({ guild: guildId, channel: showcase.channelId, code, reason }, 'the bot cannot post in the showcase channel: the showcase stops until an admin sets it again');
    const t = messagesFor(updated.language ?? task.locale ?? this.options.config.DEFAULT_LOCALE);
    await this.tell(showcase.setBy, t.showcase.cannotPost(`<#${showcase.channelId}>`, reason));
  }

  /** A private message to a member (the admin who set the showcase); one who takes none is only in the log. */
  private async tell(userId: string, content: string): Promise<void> {
    const { rest, logger } = this.options;
    try {
      const dm = (await rest.post(Routes.userChannels(), { body: { recipient_id: userId } })) as { id: string };
      await rest.post(Routes.channelMessages(dm.id), { body: { content, allowed_mentions: { parse: [] } } });
    } catch (err) {
      logger.warn({ err, user: userId }, 'could not tell the admin privately that the showcase channel refuses posts');
    }
  }
}
