import {
  ApplicationCommandOptionType,
  ChannelType,
  InteractionContextType,
  MessageFlags,
  PermissionFlagsBits,
  type APIApplicationCommandOption,
  type ChatInputCommandInteraction,
} from 'discord.js';
import { MODES, type Mode } from '../src/mj/modes';
import type { BotContext, Command } from '../src/discord/context';
import { discordServerLocale, memberMessages } from '../src/discord/locale';
import { everyoneSees, requireAdmin } from '../src/discord/preconditions';
import { UserError } from '../src/errors';
import { choiceOf, described, languageChoice, LOCALES, type Locale, type Messages, type Text } from '../src/i18n';
import { formatList } from '../src/i18n/format';
import { limitsFor } from '../src/limits/ledger';
import { discordTime, strikeRules } from '../src/limits/strikes';
import { usageCsv, usageSummary } from '../src/limits/usage-report';
import { normaliseWord } from '../src/limits/words';
import type { GuildSettings } from '../src/store';

/** Discord refuses uploads over its limit; a usage export this large is cut to its newest rows. */
const MAX_CSV_BYTES = 8 * 1024 * 1024;
/** Stars an image needs for the showcase when the admin names no number. */
const DEFAULT_THRESHOLD = 3;
/** What the bot needs in the showcase channel, by Discord's names for them. */
const SHOWCASE_RIGHTS = [
  [PermissionFlagsBits.ViewChannel, (t: Messages) => t.permissions.view],
  [PermissionFlagsBits.SendMessages, (t: Messages) => t.permissions.send],
  [PermissionFlagsBits.EmbedLinks, (t: Messages) => t.permissions.embed],
  [PermissionFlagsBits.AttachFiles, (t: Messages) => t.permissions.attach],
] as const;

/** Admin option names stay English (they match this README's examples); what they do is localized. */
const option = <T extends object>(name: string, says: Text, rest: T) => ({ name, ...described(says), ...rest });
const subcommand = (name: string, says: Text, options: APIApplicationCommandOption[] = []) =>
  option(name, says, { type: ApplicationCommandOptionType.Subcommand, options }) as APIApplicationCommandOption;
const role = option('role', (t) => t.commands.admin.role, { type: ApplicationCommandOptionType.Role, required: true }) as APIApplicationCommandOption;

const roleName = (guildId: string, roleId: string) => (roleId === guildId ? '@everyone' : `<@&${roleId}>`);

/** Whether this server's prompts are translated, and by which model, as `/admin show` says it. */
function translationState(t: Messages, ctx: BotContext, settings: GuildSettings): string {
  if (!ctx.translation.configured) return t.admin.translationMissing;
  return ctx.translation.on(settings) ? t.admin.translationOn(ctx.config.TRANSLATE_MODEL) : t.admin.translationOff;
}

/** The server's text channels @everyone cannot see (their images are never showcased), as mentions; a few at most. */
function hiddenChannels(interaction: Interaction): string {
  if (!interaction.inCachedGuild()) return '';
  const { guild } = interaction;
  const hidden = guild.channels.cache.filter((channel) => channel.isTextBased() && !channel.isThread() && !everyoneSees(guild, channel.id));
  return [...hidden.keys()].slice(0, 10).map((id) => `<#${id}>`).join(', ');
}

/** The showcase's lines in `/admin show`: where, from how many stars, what is never shown, and a refusal if Discord made one. */
function describeShowcase(t: Messages, interaction: Interaction, settings: GuildSettings): string[] {
  const { showcase } = settings;
  if (!showcase) return [t.admin.showcaseNone];
  return [
    t.admin.showcase(`<#${showcase.channelId}>`, showcase.threshold),
    t.admin.showcaseHidden(hiddenChannels(interaction)),
    ...(showcase.broken ? [t.admin.showcaseBroken(showcase.broken.reason)] : []),
  ];
}

/** Every setting of a server, as `/admin show` prints it. */
function describeSettings(t: Messages, guildId: string, settings: GuildSettings, defaults: { daily: number; concurrent: number }, language: string, translation: string, showcase: string[]): string {
  const strikes = strikeRules(settings);
  const everyone = limitsFor(settings, { guildId, roleIds: [] }, defaults);
  const limits = Object.entries(settings.limits).map(([id, l]) => t.admin.roleLimit(roleName(guildId, id), l.daily, l.concurrent));
  const modes = Object.entries(settings.modes).map(([id, mode]) => t.admin.roleMode(roleName(guildId, id), mode));
  return [
    t.admin.heading,
    t.admin.defaultLimits(everyone.daily, everyone.concurrent, !settings.limits[guildId]),
    t.admin.limitsByRole(limits.length ? limits.join(' · ') : t.admin.none),
    t.admin.modesByRole(modes.length ? modes.join(' · ') : t.admin.anyMode),
    t.admin.budget(settings.budget),
    t.admin.channels(settings.channels.length ? settings.channels.map((id) => `<#${id}>`).join(', ') : t.admin.any),
    t.admin.words(settings.words.length ? settings.words.map((w) => `\`${w}\``).join(', ') : t.admin.none),
    t.admin.language(language),
    t.admin.translation(translation),
    t.admin.strikes(strikes.limit === 0 ? t.choices.off : t.admin.strikesRule(strikes.limit, strikes.hours)),
    ...showcase,
    t.admin.adminsFree,
  ].join('\n');
}

type Interaction = ChatInputCommandInteraction<'cached' | 'raw'>;
type Handler = (interaction: Interaction, ctx: BotContext, t: Messages) => Promise<string>;

/** The language cards use when no admin chose one (src/tasks/start.ts), named for the reader. */
const automatic = (interaction: Interaction, ctx: BotContext, t: Messages) =>
  t.languages[discordServerLocale(interaction) ?? ctx.config.DEFAULT_LOCALE];

const handlers: Record<string, Handler> = {
  async limit(interaction, ctx, t) {
    const target = interaction.options.getRole('role', true);
    const daily = interaction.options.getInteger('daily', true);
    const concurrent = interaction.options.getInteger('concurrent', true);
    await ctx.settings.update(interaction.guildId, (s) => void (s.limits[target.id] = { daily, concurrent }));
    const who = roleName(interaction.guildId, target.id);
    return daily === 0 ? t.admin.limitZero(who) : t.admin.limitSet(who, daily, concurrent);
  },
  async mode(interaction, ctx, t) {
    const target = interaction.options.getRole('role', true);
    const fastest = interaction.options.getString('fastest', true) as Mode;
    if (!MODES.includes(fastest)) throw new UserError((t) => t.admin.chooseMode([...MODES]));
    await ctx.settings.update(interaction.guildId, (s) => void (s.modes[target.id] = fastest));
    return t.admin.modeSet(roleName(interaction.guildId, target.id), fastest);
  },
  async budget(interaction, ctx, t) {
    const daily = interaction.options.getInteger('daily');
    await ctx.settings.update(interaction.guildId, (s) => void (s.budget = daily ?? undefined));
    return daily === null ? t.admin.budgetOff : t.admin.budgetSet(daily);
  },
  async channels(interaction, ctx, t) {
    const action = interaction.options.getString('action', true);
    const channel = interaction.options.getChannel('channel');
    if (action !== 'clear' && !channel) throw new UserError((t) => t.admin.needsChannel(action));
    const settings = await ctx.settings.update(interaction.guildId, (s) => {
      if (action === 'clear') s.channels = [];
      else if (action === 'allow' && !s.channels.includes(channel!.id)) s.channels.push(channel!.id);
      else if (action === 'remove') s.channels = s.channels.filter((id) => id !== channel!.id);
    });
    return settings.channels.length ? t.admin.channelsOnly(settings.channels.map((id) => `<#${id}>`).join(', ')) : t.admin.channelsAll;
  },
  async words(interaction, ctx, t) {
    const action = interaction.options.getString('action', true);
    const word = normaliseWord(interaction.options.getString('word') ?? '');
    if (action !== 'list' && !word) throw new UserError((t) => t.admin.needsWord(action));
    const settings = await ctx.settings.update(interaction.guildId, (s) => {
      // Words stored before their spelling was normalised compare by their normal form too.
      if (action === 'add' && !s.words.some((w) => normaliseWord(w) === word)) s.words.push(word);
      if (action === 'remove') s.words = s.words.filter((w) => normaliseWord(w) !== word);
    });
    const list = settings.words.length ? settings.words.map((w) => `\`${w}\``).join(', ') : t.admin.none;
    if (action === 'add') return t.admin.wordAdded(word, list);
    if (action === 'remove') return t.admin.wordRemoved(word, list);
    return t.admin.words(list);
  },
  async language(interaction, ctx, t) {
    const value = interaction.options.getString('value', true);
    const language = (LOCALES as readonly string[]).includes(value) ? (value as Locale) : undefined;
    await ctx.settings.update(interaction.guildId, (s) => void (s.language = language));
    return language ? t.admin.languageSet(t.languages[language]) : t.admin.languageAuto(automatic(interaction, ctx, t));
  },
  async show(interaction, ctx, t) {
    const { DEFAULT_DAILY_TASKS: daily, DEFAULT_CONCURRENT_TASKS: concurrent } = ctx.config;
    const settings = await ctx.settings.get(interaction.guildId);
    const language = settings.language ? t.languages[settings.language] : `${t.choices.auto} (${automatic(interaction, ctx, t)})`;
    return describeSettings(t, interaction.guildId, settings, { daily, concurrent }, language, translationState(t, ctx, settings), describeShowcase(t, interaction, settings));
  },
  async translate(interaction, ctx, t) {
    const on = interaction.options.getString('value', true) === 'on';
    if (on && !ctx.translation.configured) return t.admin.translateMissing;
    // Unset means on: a server that never chose follows the configuration.
    await ctx.settings.update(interaction.guildId, (s) => void (s.translate = on ? undefined : false));
    return on ? t.admin.translateOn(ctx.config.TRANSLATE_MODEL) : t.admin.translateOff;
  },
  async strikes(interaction, ctx, t) {
    const limit = interaction.options.getInteger('limit', true);
    const asked = interaction.options.getInteger('hours');
    // Without `hours` the window the server has stays (24 h unless an admin changed it).
    const settings = await ctx.settings.update(interaction.guildId, (s) => void (s.strikes = { limit, hours: asked ?? strikeRules(s).hours }));
    return limit === 0 ? t.admin.strikesOff : t.admin.strikesSet(limit, strikeRules(settings).hours);
  },
  async pardon(interaction, ctx, t) {
    const member = interaction.options.getUser('member', true);
    const cleared = await ctx.strikes.pardon(interaction.guildId, member.id);
    return cleared ? t.admin.pardoned(`<@${member.id}>`) : t.admin.nothingToPardon(`<@${member.id}>`);
  },
  async showcase(interaction, ctx, t) {
    const channel = interaction.options.getChannel('channel');
    if (!channel) {
      await ctx.settings.update(interaction.guildId, (s) => void (s.showcase = undefined));
      return t.admin.showcaseOff;
    }
    const threshold = interaction.options.getInteger('threshold') ?? DEFAULT_THRESHOLD;
    // Set again, it starts afresh: a refusal Discord made before is forgotten, and reported again if it comes back.
    await ctx.settings.update(interaction.guildId, (s) => void (s.showcase = { channelId: channel.id, threshold, setBy: interaction.user.id }));
    const where = `<#${channel.id}>`;
    const own = interaction.inCachedGuild() ? interaction.guild.members.me?.permissionsIn(channel.id) : undefined;
    const missing = own ? SHOWCASE_RIGHTS.filter(([bit]) => !own.has(bit)).map(([, name]) => name(t)) : [];
    return `${t.admin.showcaseSet(where, threshold)}${missing.length ? t.admin.showcaseNoRights(where, formatList(t.locale, missing)) : ''}`;
  },
};

/** The members with strikes now (those of one member with `member`), for /admin usage. */
async function strikesLine(ctx: BotContext, guildId: string, memberId: string | undefined, t: Messages): Promise<string> {
  const struck = (await ctx.strikes.list(guildId)).filter((entry) => !memberId || entry.userId === memberId);
  if (struck.length === 0) return '';
  const entries = struck.slice(0, 10).map(({ userId, count, lockedUntil }) => `<@${userId}> ${count}${lockedUntil ? ` ${t.admin.strikeLocked(discordTime(lockedUntil))}` : ''}`);
  return `\n${t.admin.usageStrikes(entries.join(' · '))}`;
}

/** `/admin usage`: a summary and `usage.csv`, privately. */
async function usage(interaction: Interaction, ctx: BotContext, t: Messages): Promise<void> {
  const member = interaction.options.getUser('member');
  const days = interaction.options.getInteger('days') ?? 7;
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const rows = (await ctx.usage.rows(interaction.guildId, days)).filter((row) => !member || row.memberId === member.id);
  let csv = usageCsv(rows);
  let kept = rows;
  while (Buffer.byteLength(csv) > MAX_CSV_BYTES && kept.length > 0) {
    kept = kept.slice(Math.ceil(kept.length / 10));
    csv = usageCsv(kept);
  }
  const cut = kept.length < rows.length ? t.admin.usageCut(kept.length, rows.length) : '';
  const strikes = await strikesLine(ctx, interaction.guildId, member?.id, t);
  await interaction.editReply({
    content: `${usageSummary(rows, days, member?.id, t)}${strikes}${cut}`.slice(0, 2000),
    files: [{ attachment: Buffer.from(csv, 'utf8'), name: 'usage.csv' }],
    allowedMentions: { parse: [] },
  });
}

const { String: Str, Integer, Channel, User } = ApplicationCommandOptionType;

export default {
  data: {
    name: 'admin',
    ...described((t) => t.commands.admin.description),
    contexts: [InteractionContextType.Guild],
    default_member_permissions: String(PermissionFlagsBits.ManageGuild),
    options: [
      subcommand('limit', (t) => t.commands.admin.limit, [
        role,
        option('daily', (t) => t.commands.admin.limitDaily, { type: Integer, required: true, min_value: 0, max_value: 10_000 }),
        option('concurrent', (t) => t.commands.admin.limitConcurrent, { type: Integer, required: true, min_value: 1, max_value: 100 }),
      ] as APIApplicationCommandOption[]),
      subcommand('mode', (t) => t.commands.admin.mode, [
        role,
        option('fastest', (t) => t.commands.admin.modeFastest, { type: Str, required: true, choices: MODES.map(choiceOf) }),
      ] as APIApplicationCommandOption[]),
      subcommand('budget', (t) => t.commands.admin.budget, [
        option('daily', (t) => t.commands.admin.budgetDaily, { type: Integer, required: false, min_value: 0, max_value: 1_000_000 }),
      ] as APIApplicationCommandOption[]),
      subcommand('channels', (t) => t.commands.admin.channels, [
        option('action', (t) => t.commands.admin.channelsAction, { type: Str, required: true, choices: (['allow', 'remove', 'clear'] as const).map(choiceOf) }),
        option('channel', (t) => t.commands.admin.channel, {
          type: Channel,
          required: false,
          channel_types: [ChannelType.GuildText, ChannelType.GuildAnnouncement, ChannelType.GuildForum],
        }),
      ] as APIApplicationCommandOption[]),
      subcommand('words', (t) => t.commands.admin.words, [
        option('action', (t) => t.commands.admin.wordsAction, { type: Str, required: true, choices: (['add', 'remove', 'list'] as const).map(choiceOf) }),
        option('word', (t) => t.commands.admin.word, { type: Str, required: false, max_length: 100 }),
      ] as APIApplicationCommandOption[]),
      subcommand('usage', (t) => t.commands.admin.usage, [
        option('member', (t) => t.commands.admin.usageMember, { type: User, required: false }),
        option('days', (t) => t.commands.admin.usageDays, { type: Integer, required: false, min_value: 1, max_value: 90 }),
      ] as APIApplicationCommandOption[]),
      subcommand('language', (t) => t.commands.admin.language, [
        option('value', (t) => t.commands.admin.languageValue, { type: Str, required: true, choices: [...LOCALES.map(languageChoice), choiceOf('auto')] }),
      ] as APIApplicationCommandOption[]),
      subcommand('showcase', (t) => t.commands.admin.showcase, [
        option('channel', (t) => t.commands.admin.showcaseChannel, { type: Channel, required: false, channel_types: [ChannelType.GuildText, ChannelType.GuildAnnouncement] }),
        option('threshold', (t) => t.commands.admin.showcaseThreshold, { type: Integer, required: false, min_value: 1, max_value: 1000 }),
      ] as APIApplicationCommandOption[]),
      subcommand('show', (t) => t.commands.admin.show),
      subcommand('translate', (t) => t.commands.admin.translate, [
        option('value', (t) => t.commands.admin.translateValue, { type: Str, required: true, choices: (['on', 'off'] as const).map(choiceOf) }),
      ] as APIApplicationCommandOption[]),
      subcommand('strikes', (t) => t.commands.admin.strikes, [
        option('limit', (t) => t.commands.admin.strikesLimit, { type: Integer, required: true, min_value: 0, max_value: 100 }),
        option('hours', (t) => t.commands.admin.strikesHours, { type: Integer, required: false, min_value: 1, max_value: 720 }),
      ] as APIApplicationCommandOption[]),
      subcommand('pardon', (t) => t.commands.admin.pardon, [
        option('member', (t) => t.commands.admin.pardonMember, { type: User, required: true }),
      ] as APIApplicationCommandOption[]),
    ],
  },
  async execute(interaction, ctx) {
    if (!interaction.inGuild()) throw new UserError((t) => t.admin.useInServer);
    requireAdmin(interaction);
    const t = memberMessages(interaction);
    const name = interaction.options.getSubcommand(true);
    if (name === 'usage') return usage(interaction, ctx, t);
    const handler = handlers[name];
    if (!handler) throw new UserError((t) => t.admin.subcommandGone);
    const content = await handler(interaction, ctx, t);
    await interaction.reply({ content: content.slice(0, 2000), flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
  },
} satisfies Command;
