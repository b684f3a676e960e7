import type { BaseInteraction } from 'discord.js';
import { messagesFor, toLocale, type Locale, type Messages } from '../i18n';

/** The language of what only this member reads (private replies, forms): their Discord language, else English. */
export const memberLocale = (interaction: BaseInteraction): Locale => toLocale(interaction.locale) ?? 'en';

/** The catalogue of this member's language. */
export const memberMessages = (interaction: BaseInteraction): Messages => messagesFor(memberLocale(interaction));

/** The server's language as Discord reports it, when it says something (cards: an admin's choice first, src/tasks/start.ts). */
export const discordServerLocale = (interaction: BaseInteraction): Locale | undefined =>
  interaction.guildLocale && interaction.guildLocale !== 'en-US' ? toLocale(interaction.guildLocale) : undefined;
