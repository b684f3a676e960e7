import { InteractionContextType } from 'discord.js';
import type { Command } from '../src/discord/context';
import { imageOption, modeOption, promptOption, readMode } from '../src/discord/input';
import { checkPrompt } from '../src/mj/prompt';
import { startFromInteraction } from '../src/discord/start-task';
import { described } from '../src/i18n';

export default {
  data: {
    name: 'edit',
    ...described((t) => t.commands.edit.description),
    contexts: [InteractionContextType.Guild],
    options: [
      promptOption((t) => t.commands.edit.prompt),
      imageOption('image', (t) => t.commands.edit.image, true),
      modeOption,
    ],
  },
  async execute(interaction, ctx) {
    const prompt = checkPrompt(interaction.options.getString('prompt'), ctx.upstreams);
    const image = interaction.options.getAttachment('image', true);
    const mode = readMode(interaction, ctx.upstreams);
    await startFromInteraction(interaction, ctx, {
      title: (t) => t.titles.edit,
      prompt,
      usesPrefs: true,
      mode,
      images: [{ attachment: image, what: (t) => t.images.theImage }],
      submit: ({ api, common, mode: sendMode, prompt: sent, images: [data] }) => api.submitEdits({ prompt: sent, image: data!, ...common }, sendMode),
    });
  },
} satisfies Command;
