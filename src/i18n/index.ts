// index.ts: the entry of its folder (every folder that has an entry names it so): what the folder offers the layers above.
import type { APIApplicationCommandOptionChoice } from 'discord.js';
import { en } from './en';
import { LOCALES, type Locale } from './format';
import { zhCN } from './zh-CN';

export { LOCALES, type Locale } from './format';

/** Every string a member or an admin reads, in one language (the English catalogue is the reference). */
export type Messages = typeof en;

/**
 * Words for a reader whose language is not known yet where they are written: a UserError thrown deep in a
 * check is put in the member's language by the router that shows it.
 */
export type Text = (t: Messages) => string;

const CATALOGUES: Readonly<Record<Locale, Messages>> = { en, 'zh-CN': zhCN };

export const messagesFor = (locale: Locale): Messages => CATALOGUES[locale];

/**
 * A Discord locale (`zh-CN`, `zh-TW`, `en-US`, `en-GB`, …) as one of the bot's languages, or undefined for
 * any other language. Traditional Chinese readers get Simplified Chinese: closer to them than English.
 */
export function toLocale(tag: string | null | undefined): Locale | undefined {
  if (!tag) return undefined;
  if (/^zh(-|$)/i.test(tag)) return 'zh-CN';
  if (/^en(-|$)/i.test(tag)) return 'en';
  return (LOCALES as readonly string[]).includes(tag) ? (tag as Locale) : undefined;
}

/** Discord's localization maps for a text: English is the default, the other catalogues are localizations. */
const localizations = (pick: Text) =>
  Object.fromEntries(LOCALES.filter((l) => l !== 'en').map((l) => [l, pick(CATALOGUES[l])])) as Record<Exclude<Locale, 'en'>, string>;

/** `description` and `description_localizations` of a command or option, from the catalogues' `commands`. */
export const described = (pick: Text) => ({ description: pick(en), description_localizations: localizations(pick) });

export type OptionName = keyof Messages['names'];
/** `name` and `name_localizations` of an option: the code reads the English name whatever the member sees. */
export const named = (name: OptionName) => ({ name, name_localizations: localizations((t) => t.names[name]) });

export type ChoiceValue = keyof Messages['choices'];
/** A choice of a string option, its name localized. */
export const choiceOf = (value: ChoiceValue): APIApplicationCommandOptionChoice<string> => ({
  name: en.choices[value],
  name_localizations: localizations((t) => t.choices[value]),
  value,
});

/** A language as a choice of a string option (`/admin language`), named in the reader's language. */
export const languageChoice = (locale: Locale): APIApplicationCommandOptionChoice<string> => ({
  name: en.languages[locale],
  name_localizations: localizations((t) => t.languages[locale]),
  value: locale,
});
