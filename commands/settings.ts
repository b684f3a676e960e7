import { InteractionContextType } from 'discord.js';
import type { Command } from '../src/discord/context';
import { openSettings } from '../src/discord/settings-controls';
import { described } from '../src/i18n';

export default {
  data: {
    name: 'settings',
    ...described((t) => t.commands.settings.description),
    contexts: [InteractionContextType.Guild],
  },
  execute: openSettings,
} satisfies Command;
