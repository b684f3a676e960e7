import { MessageFlags, type ButtonInteraction, type ChatInputCommandInteraction, type StringSelectMenuInteraction } from 'discord.js';
import { MODES, type Mode } from '../mj/modes';
import { UserError } from '../errors';
import { capMode } from '../mj/modes';
import { isVersion, STYLIZE } from '../prefs/flags';
import { prefsOf, updatePrefs } from '../prefs/store';
import { SETTINGS_IDS, SETTINGS_PREFIX, settingsPanel, UNSET, type SettingsView } from '../render/settings-panel';
import type { MemberPrefs } from '../store';
import type { BotContext } from './context';
import { memberMessages } from './locale';
import { memberOf } from './preconditions';

type Where = { guildId: string; channelId: string };
type PanelInteraction = (ChatInputCommandInteraction | ButtonInteraction | StringSelectMenuInteraction) & Where;

export const isSettingsControl = (customId: string): boolean => customId.startsWith(SETTINGS_PREFIX);

/** The speed modes this member may pick (offered by the provider, allowed by their roles), and whether prompts are translated here. */
async function modesFor(interaction: PanelInteraction, ctx: BotContext): Promise<Omit<SettingsView, 'prefs'>> {
  const fastest = await ctx.quotas.fastestFor(memberOf(interaction));
  const offered = ctx.upstreams.modes;
  const modes = MODES.filter((m) => offered.includes(m) && capMode(m, fastest) === m);
  const translates = ctx.translation.on(await ctx.settings.get(interaction.guildId));
  return { modes, cappedAt: modes.length < offered.length ? fastest : undefined, translates };
}

function inGuild(interaction: ChatInputCommandInteraction | ButtonInteraction | StringSelectMenuInteraction): PanelInteraction {
  if (!interaction.inGuild() || !interaction.channelId) throw new UserError((t) => t.common.useInServer);
  return interaction as PanelInteraction;
}

/** `/settings`: the member's own panel, privately (Midjourney's /settings, per server). */
export async function openSettings(command: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const interaction = inGuild(command);
  const prefs = await prefsOf(ctx.store, interaction.guildId, interaction.user.id);
  const panel = settingsPanel({ prefs, ...(await modesFor(interaction, ctx)) }, memberMessages(interaction));
  await interaction.reply({ ...panel, flags: MessageFlags.Ephemeral });
}

/**
 * A control of the panel: changes the clicking member's own preferences (whoever clicks changes only their
 * own, and the panel is private anyway) and redraws the panel in place.
 */
export async function handleSettingsControl(control: ButtonInteraction | StringSelectMenuInteraction, ctx: BotContext): Promise<void> {
  const interaction = inGuild(control);
  const value = control.isStringSelectMenu() ? control.values[0] : undefined;
  const modes = await modesFor(interaction, ctx);
  const allowed = modes.modes;
  const change = (prefs: MemberPrefs): MemberPrefs => {
    switch (control.customId) {
      case SETTINGS_IDS.version:
        return { ...prefs, version: isVersion(value) ? value : undefined };
      case SETTINGS_IDS.stylize: {
        const stylize = STYLIZE.find((s) => String(s) === value);
        return { ...prefs, stylize };
      }
      case SETTINGS_IDS.mode: {
        if (value === UNSET || value === undefined) return { ...prefs, mode: undefined };
        const mode = value as Mode;
        if (!allowed.includes(mode)) throw new UserError((t) => t.input.modeNotOffered(value, [...allowed]));
        return { ...prefs, mode };
      }
      case SETTINGS_IDS.translate:
        return { ...prefs, translate: value === 'ask' || value === 'never' ? value : undefined };
      case SETTINGS_IDS.raw:
        return { ...prefs, raw: prefs.raw ? undefined : true };
      case SETTINGS_IDS.high:
        return { ...prefs, variation: prefs.variation === 'high' ? undefined : 'high' };
      case SETTINGS_IDS.low:
        return { ...prefs, variation: prefs.variation === 'low' ? undefined : 'low' };
      case SETTINGS_IDS.reset:
        // The suffix is /prefer's, not a setting: Midjourney's "Reset settings" keeps it too (translation goes back to automatic).
        return { suffix: prefs.suffix };
      default:
        throw new UserError((t) => t.common.buttonGone);
    }
  };
  const prefs = await updatePrefs(ctx.store, interaction.guildId, interaction.user.id, change);
  await control.update(settingsPanel({ prefs, ...modes }, memberMessages(interaction)));
}
