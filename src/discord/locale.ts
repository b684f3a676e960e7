import type { BaseInteraction } from 'discord.js';
import type { Config } from '../config';
import { messagesFor, toLocale, type Locale, type Messages } from '../i18n';
import type { Quotas } from '../limits/quota';

/** The language of what only this member reads (private replies, forms): their Discord language, else English. */
export const memberLocale = (interaction: BaseInteraction): Locale => toLocale(interaction.locale) ?? 'en';

/** The catalogue of this member's language. */
export const memberMessages = (interaction: BaseInteraction): Messages => messagesFor(memberLocale(interaction));

/**
 * The language of what the whole channel reads (cards): what an admin chose with `/admin language`, else the
 * server's language in Discord, else DEFAULT_LOCALE. Discord reports en-US for every server that is not a
 * Community server, so en-US cannot be told from "not chosen" and leaves the choice to DEFAULT_LOCALE.
 */
export async function serverLocale(interaction: BaseInteraction, ctx: { quotas: Quotas; config: Pick<Config, 'DEFAULT_LOCALE'> }): Promise<Locale> {
  const chosen = interaction.guildId ? (await ctx.quotas.settings(interaction.guildId)).language : undefined;
  return chosen ?? discordServerLocale(interaction) ?? ctx.config.DEFAULT_LOCALE;
}

/** The server's language as Discord reports it, when it says something (see serverLocale). */
export const discordServerLocale = (interaction: BaseInteraction): Locale | undefined =>
  interaction.guildLocale && interaction.guildLocale !== 'en-US' ? toLocale(interaction.guildLocale) : undefined;
