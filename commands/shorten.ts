import { InteractionContextType } from 'discord.js';
import type { Command } from '../src/discord/context';
import { modeOption, promptOption, readMode } from '../src/discord/input';
import { checkPrompt } from '../src/mj/prompt';
import { startFromInteraction } from '../src/discord/start-task';
import { described } from '../src/i18n';

export default {
  data: {
    name: 'shorten',
    ...described((t) => t.commands.shorten.description),
    contexts: [InteractionContextType.Guild],
    options: [promptOption((t) => t.commands.shorten.prompt), modeOption],
  },
  async execute(interaction, ctx) {
    const prompt = checkPrompt(interaction.options.getString('prompt'), ctx.upstreams);
    const mode = readMode(interaction, ctx.upstreams);
    await startFromInteraction(interaction, ctx, {
      title: (t) => t.titles.shorten,
      prompt,
      mode,
      submit: ({ api, common, mode: sendMode }) => api.submitShorten({ prompt, ...common }, sendMode),
    });
  },
} satisfies Command;
