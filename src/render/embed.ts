import type { APIEmbed } from 'discord.js';
import { truncate, truncateEscaped } from './text';

/**
 * Discord refuses a message whose embeds hold more than this many characters in all.
 * @internal
 */
export const EMBED_TOTAL = 6000;
const FIELD_NAME = 256;
const FIELD_VALUE = 1024;
const DESCRIPTION = 4096;
const TITLE = 256;

/**
 * Characters Discord counts toward the 6,000: title, description, field names and values, footer, author.
 * @internal
 */
export function embedLength(embed: APIEmbed): number {
  const fields = (embed.fields ?? []).reduce((sum, field) => sum + field.name.length + field.value.length, 0);
  return (embed.title?.length ?? 0) + (embed.description?.length ?? 0) + fields + (embed.footer?.text.length ?? 0) + (embed.author?.name.length ?? 0);
}

/**
 * Cuts an embed to Discord's limits: each part to its own limit, then the longest field values (the API's
 * describe/shorten text) until the whole fits in 6,000 characters. The status field comes first and is short.
 */
export function fitEmbed(embed: APIEmbed): APIEmbed {
  const fitted: APIEmbed = {
    ...embed,
    ...(embed.title === undefined ? {} : { title: truncate(embed.title, TITLE) }),
    ...(embed.description === undefined ? {} : { description: truncate(embed.description, DESCRIPTION) }),
    fields: (embed.fields ?? []).slice(0, 25).map((field) => ({
      ...field,
      name: truncate(field.name, FIELD_NAME),
      value: truncateEscaped(field.value, FIELD_VALUE),
    })),
  };
  const fields = fitted.fields!;
  // Bounded: every round shortens the longest field by at least one character, or stops.
  for (let round = 0; round < 200 && embedLength(fitted) > EMBED_TOTAL; round += 1) {
    const excess = embedLength(fitted) - EMBED_TOTAL;
    const longest = fields.reduce((best, field, i) => (field.value.length > (fields[best]?.value.length ?? 0) ? i : best), 0);
    const field = fields[longest];
    if (!field || field.value.length <= 64) {
      fitted.description = truncate(fitted.description ?? '', Math.max(64, (fitted.description?.length ?? 0) - excess));
      break;
    }
    fields[longest] = { ...field, value: truncateEscaped(field.value, Math.max(64, field.value.length - excess - 1)) };
  }
  return fitted;
}
