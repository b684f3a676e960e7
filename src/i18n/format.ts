/**
 * Numbers, plurals and durations by locale, with the runtime's Intl data. The formatters are built once, and
 * none keeps state, so they are shared constants rather than per-app objects.
 */

/** The two languages the bot speaks (BCP 47 tags, as Discord spells them where it can). */
export const LOCALES = ['en', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];

const INTL_TAG: Record<Locale, string> = { en: 'en-US', 'zh-CN': 'zh-CN' };

const NUMBERS = Object.fromEntries(LOCALES.map((l) => [l, new Intl.NumberFormat(INTL_TAG[l])])) as Record<Locale, Intl.NumberFormat>;
const PLURALS = Object.fromEntries(LOCALES.map((l) => [l, new Intl.PluralRules(INTL_TAG[l])])) as Record<Locale, Intl.PluralRules>;
const unit = (l: Locale, name: 'second' | 'minute' | 'hour') =>
  new Intl.NumberFormat(INTL_TAG[l], { style: 'unit', unit: name, unitDisplay: 'short' });
const UNITS = Object.fromEntries(
  LOCALES.map((l) => [l, { second: unit(l, 'second'), minute: unit(l, 'minute'), hour: unit(l, 'hour') }]),
) as Record<Locale, Record<'second' | 'minute' | 'hour', Intl.NumberFormat>>;

/** 1234 → "1,234" (en) or "1,234" (zh-CN). */
export const formatNumber = (locale: Locale, n: number): string => NUMBERS[locale].format(n);

/** The form of a word that goes with `n`: `plural('en', 1, { one: 'task', other: 'tasks' })` → "task". */
function plural(locale: Locale, n: number, forms: { one?: string; other: string }): string {
  const category = PLURALS[locale].select(n);
  return category === 'one' && forms.one !== undefined ? forms.one : forms.other;
}

/** `n` and the word that goes with it: "1 task", "3 tasks", "1,000 tasks". */
export const countOf = (locale: Locale, n: number, forms: { one?: string; other: string }): string =>
  `${formatNumber(locale, n)}${locale === 'en' ? ' ' : ''}${plural(locale, n, forms)}`;

/** 95 000 ms → "1 min 35 sec" (en) or "1分钟 35秒" (zh-CN): whole seconds, at most two units, no zero second unit. */
export function formatDuration(locale: Locale, ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const u = UNITS[locale];
  if (seconds < 60) return u.second.format(seconds);
  const minutes = Math.floor(seconds / 60);
  const pair = (big: string, small: number, format: Intl.NumberFormat) => (small ? `${big} ${format.format(small)}` : big);
  if (minutes < 60) return pair(u.minute.format(minutes), seconds % 60, u.second);
  return pair(u.hour.format(Math.floor(minutes / 60)), minutes % 60, u.minute);
}

const LISTS = Object.fromEntries(LOCALES.map((l) => [l, new Intl.ListFormat(INTL_TAG[l], { type: 'conjunction' })])) as Record<Locale, Intl.ListFormat>;

/** ["a", "b", "c"] → "a, b and c" / "a、b和c". */
export const formatList = (locale: Locale, items: readonly string[]): string => LISTS[locale].format(items);
