import { InteractionContextType } from 'discord.js';
import type { Command } from '../src/discord/context';
import { checkPrompt, modeOption, promptOption, readMode } from '../src/discord/input';
import { startTask } from '../src/discord/start-task';

export default {
  startsTask: true,
  data: {
    name: 'shorten',
    description: 'Let Midjourney shorten a long prompt and show its important words',
    contexts: [InteractionContextType.Guild],
    options: [promptOption('The prompt to analyse and shorten'), modeOption],
  },
  async execute(interaction, ctx) {
    const prompt = checkPrompt(interaction.options.getString('prompt'), ctx.provider);
    const mode = readMode(interaction, ctx.provider);
    await interaction.deferReply();
    await startTask(interaction, ctx, {
      title: 'Shorten',
      prompt,
      mode,
      submit: (common, sendMode) => ctx.mj.submitShorten({ prompt, ...common }, sendMode),
    });
  },
} satisfies Command;
