import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIComponentInMessageActionRow } from 'discord.js';
import type { Mode } from '../mj/modes';
import type { Messages } from '../i18n';
import { prefFlags, STYLIZE, VERSIONS, type Version } from '../prefs/flags';
import type { MemberPrefs } from '../store';

/** Every control of the /settings panel starts with this (src/discord/settings-controls.ts routes them). */
export const SETTINGS_PREFIX = 'mjset:';

/** The panel's controls: what each customId changes. */
export const SETTINGS_IDS = {
  version: `${SETTINGS_PREFIX}version`,
  stylize: `${SETTINGS_PREFIX}stylize`,
  mode: `${SETTINGS_PREFIX}mode`,
  translate: `${SETTINGS_PREFIX}translate`,
  raw: `${SETTINGS_PREFIX}raw`,
  high: `${SETTINGS_PREFIX}variation:high`,
  low: `${SETTINGS_PREFIX}variation:low`,
  reset: `${SETTINGS_PREFIX}reset`,
} as const;

/** The select option that clears a setting (Midjourney's own default applies). */
export const UNSET = 'default';

const VERSION_LABELS: Record<Version, string> = { '7': 'V7', '6.1': 'V6.1', '6': 'V6', niji6: 'Niji 6' };

export interface SettingsView {
  prefs: MemberPrefs;
  /** Speed modes the provider offers and the member's roles allow, slowest first. */
  modes: readonly Mode[];
  /** The fastest mode the member's roles allow, when that hides some the provider offers. */
  cappedAt: Mode | undefined;
  /** Whether prompts are translated in this server (a translator is configured and on): the choice is offered. */
  translates: boolean;
}

/** How a member's prompts in other languages are sent, by the value of the panel's select. */
const TRANSLATE_CHOICES = ['auto', 'ask', 'never'] as const;

type Row = APIActionRowComponent<APIComponentInMessageActionRow>;

const select = (customId: string, placeholder: string, options: Array<{ label: string; value: string; default: boolean }>): Row => ({
  type: ComponentType.ActionRow,
  components: [{ type: ComponentType.StringSelect, custom_id: customId, placeholder, min_values: 1, max_values: 1, options }],
});

/** The private /settings panel: what is set, and the controls that change it. Pure: preferences in, payload out. */
export function settingsPanel(view: SettingsView, t: Messages): { content: string; components: Row[] } {
  const { prefs } = view;
  const stylizeNames = [t.settings.stylizeLow, t.settings.stylizeMed, t.settings.stylizeHigh, t.settings.stylizeVeryHigh];
  const stylizeLabel = (value: number) => {
    const index = STYLIZE.indexOf(value as (typeof STYLIZE)[number]);
    return index < 0 ? String(value) : `${stylizeNames[index]} (${value})`;
  };
  const flags = prefFlags(prefs);
  const translateNames = { auto: t.settings.translateAuto, ask: t.settings.translateAsk, never: t.settings.translateNever };
  const lines = [
    t.settings.heading,
    t.settings.explain,
    t.settings.version(prefs.version && prefs.version in VERSION_LABELS ? VERSION_LABELS[prefs.version as Version] : t.settings.unset),
    t.settings.stylize(prefs.stylize === undefined ? t.settings.unset : stylizeLabel(prefs.stylize)),
    t.settings.raw(prefs.raw === true),
    t.settings.variation(prefs.variation === 'high' ? t.settings.high : prefs.variation === 'low' ? t.settings.low : t.settings.unset),
    t.settings.mode(prefs.mode ?? t.settings.unset),
    t.settings.suffix(prefs.suffix ? `\`${prefs.suffix}\`` : t.settings.noSuffix),
    ...(view.translates ? [t.settings.translate(translateNames[prefs.translate ?? 'auto'])] : []),
    flags.length ? t.settings.adds(`\`${flags.join(' ')}\``) : t.settings.addsNothing,
    ...(view.cappedAt ? [t.settings.modeCapped(view.cappedAt)] : []),
  ];
  const unset = (chosen: boolean) => ({ label: t.settings.unset, value: UNSET, default: chosen });
  const toggle = (on: boolean) => (on ? ButtonStyle.Success : ButtonStyle.Secondary);
  return {
    content: lines.join('\n'),
    components: [
      select(SETTINGS_IDS.version, t.settings.pickVersion, [
        unset(!prefs.version),
        ...(Object.keys(VERSIONS) as Version[]).map((v) => ({ label: VERSION_LABELS[v], value: v, default: prefs.version === v })),
      ]),
      select(SETTINGS_IDS.stylize, t.settings.pickStylize, [
        unset(prefs.stylize === undefined),
        ...STYLIZE.map((s) => ({ label: stylizeLabel(s), value: String(s), default: prefs.stylize === s })),
      ]),
      select(SETTINGS_IDS.mode, t.settings.pickMode, [unset(!prefs.mode), ...view.modes.map((m) => ({ label: t.choices[m], value: m, default: prefs.mode === m }))]),
      ...(view.translates
        ? [select(SETTINGS_IDS.translate, t.settings.pickTranslate, TRANSLATE_CHOICES.map((value) => ({ label: translateNames[value], value, default: (prefs.translate ?? 'auto') === value })))]
        : []),
      {
        type: ComponentType.ActionRow,
        components: [
          { type: ComponentType.Button, custom_id: SETTINGS_IDS.raw, label: t.settings.rawButton, style: toggle(prefs.raw === true) },
          { type: ComponentType.Button, custom_id: SETTINGS_IDS.high, label: t.settings.highVariation, style: toggle(prefs.variation === 'high') },
          { type: ComponentType.Button, custom_id: SETTINGS_IDS.low, label: t.settings.lowVariation, style: toggle(prefs.variation === 'low') },
          { type: ComponentType.Button, custom_id: SETTINGS_IDS.reset, label: t.settings.reset, style: ButtonStyle.Danger },
        ],
      },
    ],
  };
}
