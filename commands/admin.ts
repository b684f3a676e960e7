import {
  ApplicationCommandOptionType,
  ChannelType,
  InteractionContextType,
  MessageFlags,
  PermissionFlagsBits,
  type ChatInputCommandInteraction,
} from 'discord.js';
import { MODES, type Mode } from '../src/config';
import type { BotContext, Command } from '../src/discord/context';
import { requireAdmin } from '../src/discord/preconditions';
import { UserError } from '../src/errors';
import { limitsFor } from '../src/limits/quota';
import { usageCsv, usageSummary } from '../src/limits/usage';
import { normaliseWord } from '../src/limits/words';
import type { GuildSettings } from '../src/store';

/** Discord refuses uploads over its limit; a usage export this large is cut to its newest rows. */
const MAX_CSV_BYTES = 8 * 1024 * 1024;

const role = (description: string) => ({ type: ApplicationCommandOptionType.Role, name: 'role', description, required: true }) as const;
const choices = (values: readonly string[]) => values.map((value) => ({ name: value, value }));

const roleName = (guildId: string, roleId: string) => (roleId === guildId ? '@everyone' : `<@&${roleId}>`);

/** Every setting of a server, as `/admin show` prints it. */
function describeSettings(guildId: string, settings: GuildSettings, defaults: { daily: number; concurrent: number }): string {
  const everyone = limitsFor(settings, { guildId, roleIds: [] }, defaults);
  const limits = Object.entries(settings.limits).map(([id, l]) => `${roleName(guildId, id)}: ${l.daily}/day, ${l.concurrent} at a time`);
  const modes = Object.entries(settings.modes).map(([id, mode]) => `${roleName(guildId, id)}: up to ${mode}`);
  return [
    '**Midjourney settings of this server**',
    `Default (@everyone): ${everyone.daily} tasks a day, ${everyone.concurrent} at a time${settings.limits[guildId] ? '' : ' (the bot\'s default)'}`,
    `Limits by role: ${limits.length ? limits.join(' · ') : 'none'}`,
    `Fastest mode by role: ${modes.length ? modes.join(' · ') : 'none (any mode)'}`,
    `Server budget: ${settings.budget === undefined ? 'none' : `${settings.budget} tasks a day`}`,
    `Channels: ${settings.channels.length ? settings.channels.map((id) => `<#${id}>`).join(', ') : 'any'}`,
    `Banned words: ${settings.words.length ? settings.words.map((w) => `\`${w}\``).join(', ') : 'none'}`,
    'Members who can manage the server have no limits; their tasks still count in `/admin usage`.',
  ].join('\n');
}

type Handler = (interaction: ChatInputCommandInteraction<'cached' | 'raw'>, ctx: BotContext) => Promise<string>;

const handlers: Record<string, Handler> = {
  async limit(interaction, ctx) {
    const target = interaction.options.getRole('role', true);
    const daily = interaction.options.getInteger('daily', true);
    const concurrent = interaction.options.getInteger('concurrent', true);
    await ctx.quotas.updateSettings(interaction.guildId, (s) => void (s.limits[target.id] = { daily, concurrent }));
    const who = roleName(interaction.guildId, target.id);
    return daily === 0
      ? `${who} may not use the bot (0 tasks a day), unless another role of the member allows more.`
      : `${who}: ${daily} task${daily === 1 ? '' : 's'} per member per day, ${concurrent} at a time. A member with several roles gets the most generous.`;
  },
  async mode(interaction, ctx) {
    const target = interaction.options.getRole('role', true);
    const fastest = interaction.options.getString('fastest', true) as Mode;
    if (!MODES.includes(fastest)) throw new UserError(`Choose one of ${MODES.join(', ')}.`);
    await ctx.quotas.updateSettings(interaction.guildId, (s) => void (s.modes[target.id] = fastest));
    return `${roleName(interaction.guildId, target.id)}: fastest mode ${fastest}. Faster requests run at ${fastest}, and the card says so.`;
  },
  async budget(interaction, ctx) {
    const daily = interaction.options.getInteger('daily');
    await ctx.quotas.updateSettings(interaction.guildId, (s) => void (s.budget = daily ?? undefined));
    return daily === null ? 'No server budget: only the members\' own limits apply.' : `Server budget: ${daily} tasks a day for everyone together (admins not limited).`;
  },
  async channels(interaction, ctx) {
    const action = interaction.options.getString('action', true);
    const channel = interaction.options.getChannel('channel');
    if (action !== 'clear' && !channel) throw new UserError(`\`/admin channels action:${action}\` needs a \`channel\`.`);
    const settings = await ctx.quotas.updateSettings(interaction.guildId, (s) => {
      if (action === 'clear') s.channels = [];
      else if (action === 'allow' && !s.channels.includes(channel!.id)) s.channels.push(channel!.id);
      else if (action === 'remove') s.channels = s.channels.filter((id) => id !== channel!.id);
    });
    return settings.channels.length
      ? `Commands that start tasks work only in ${settings.channels.map((id) => `<#${id}>`).join(', ')}.`
      : 'Commands work in every channel.';
  },
  async words(interaction, ctx) {
    const action = interaction.options.getString('action', true);
    const word = normaliseWord(interaction.options.getString('word') ?? '');
    if (action !== 'list' && !word) throw new UserError(`\`/admin words action:${action}\` needs a \`word\`.`);
    const settings = await ctx.quotas.updateSettings(interaction.guildId, (s) => {
      if (action === 'add' && !s.words.includes(word)) s.words.push(word);
      if (action === 'remove') s.words = s.words.filter((w) => w !== word);
    });
    const list = settings.words.length ? settings.words.map((w) => `\`${w}\``).join(', ') : 'none';
    if (action === 'add') return `Added \`${word}\`. Banned words: ${list}`;
    if (action === 'remove') return `Removed \`${word}\`. Banned words: ${list}`;
    return `Banned words: ${list}`;
  },
  async show(interaction, ctx) {
    const { DEFAULT_DAILY_TASKS: daily, DEFAULT_CONCURRENT_TASKS: concurrent } = ctx.config;
    return describeSettings(interaction.guildId, await ctx.quotas.settings(interaction.guildId), { daily, concurrent });
  },
};

/** `/admin usage`: a summary and `usage.csv`, privately. */
async function usage(interaction: ChatInputCommandInteraction<'cached' | 'raw'>, ctx: BotContext): Promise<void> {
  const member = interaction.options.getUser('member');
  const days = interaction.options.getInteger('days') ?? 7;
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const rows = (await ctx.quotas.usage(interaction.guildId, days)).filter((row) => !member || row.memberId === member.id);
  let csv = usageCsv(rows);
  let kept = rows;
  while (Buffer.byteLength(csv) > MAX_CSV_BYTES && kept.length > 0) {
    kept = kept.slice(Math.ceil(kept.length / 10));
    csv = usageCsv(kept);
  }
  const cut = kept.length < rows.length ? `\nThe file holds the newest ${kept.length} of ${rows.length} tasks (Discord's upload limit).` : '';
  await interaction.editReply({
    content: `${usageSummary(rows, days, member?.id)}${cut}`.slice(0, 2000),
    files: [{ attachment: Buffer.from(csv, 'utf8'), name: 'usage.csv' }],
    allowedMentions: { parse: [] },
  });
}

export default {
  data: {
    name: 'admin',
    description: "Decide who may spend this server's Midjourney plan",
    contexts: [InteractionContextType.Guild],
    default_member_permissions: String(PermissionFlagsBits.ManageGuild),
    options: [
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'limit',
        description: 'Tasks per member per day, and at a time, for members with a role (@everyone: the default)',
        options: [
          role('The role (@everyone for the server default)'),
          { type: ApplicationCommandOptionType.Integer, name: 'daily', description: 'Tasks per member per day (0: this role may not use the bot)', required: true, min_value: 0, max_value: 10_000 },
          { type: ApplicationCommandOptionType.Integer, name: 'concurrent', description: 'Tasks in flight per member', required: true, min_value: 1, max_value: 100 },
        ],
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'mode',
        description: 'The fastest speed mode members with a role may use',
        options: [
          role('The role (@everyone for the server default)'),
          { type: ApplicationCommandOptionType.String, name: 'fastest', description: 'Fastest mode allowed', required: true, choices: choices(MODES) },
        ],
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'budget',
        description: 'Tasks per day for the whole server (leave empty for no budget)',
        options: [{ type: ApplicationCommandOptionType.Integer, name: 'daily', description: 'Tasks per day for everyone together', required: false, min_value: 0, max_value: 1_000_000 }],
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'channels',
        description: 'Channels where commands work (none listed: everywhere)',
        options: [
          { type: ApplicationCommandOptionType.String, name: 'action', description: 'Allow a channel, remove it, or clear the list', required: true, choices: choices(['allow', 'remove', 'clear']) },
          { type: ApplicationCommandOptionType.Channel, name: 'channel', description: 'The channel', required: false, channel_types: [ChannelType.GuildText, ChannelType.GuildAnnouncement, ChannelType.GuildForum] },
        ],
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'words',
        description: 'Banned words, checked in every prompt',
        options: [
          { type: ApplicationCommandOptionType.String, name: 'action', description: 'Add, remove or list', required: true, choices: choices(['add', 'remove', 'list']) },
          { type: ApplicationCommandOptionType.String, name: 'word', description: 'The word (whole word, any case)', required: false, max_length: 100 },
        ],
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'usage',
        description: 'Tasks per member, kind and mode, with usage.csv',
        options: [
          { type: ApplicationCommandOptionType.User, name: 'member', description: 'Only this member', required: false },
          { type: ApplicationCommandOptionType.Integer, name: 'days', description: 'How many days back (default 7)', required: false, min_value: 1, max_value: 90 },
        ],
      },
      { type: ApplicationCommandOptionType.Subcommand, name: 'show', description: 'Every setting of this server' },
    ],
  },
  async execute(interaction, ctx) {
    if (!interaction.inGuild()) throw new UserError('Use `/admin` in a server.');
    requireAdmin(interaction);
    const subcommand = interaction.options.getSubcommand(true);
    if (subcommand === 'usage') return usage(interaction, ctx);
    const handler = handlers[subcommand];
    if (!handler) throw new UserError('This subcommand is not available any more. An admin may need to run deploy-commands.');
    const content = await handler(interaction, ctx);
    await interaction.reply({ content: content.slice(0, 2000), flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
  },
} satisfies Command;
