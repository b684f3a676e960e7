import { InteractionContextType } from 'discord.js';
import type { Command } from '../src/discord/context';
import { imageOption, modeOption, promptOption, readMode } from '../src/discord/input';
import { startFromInteraction } from '../src/discord/start-task';
import { checkPrompt } from '../src/mj/prompt';
import { described } from '../src/i18n';

export default {
  data: {
    name: 'imagine',
    ...described((t) => t.commands.imagine.description),
    contexts: [InteractionContextType.Guild],
    options: [
      promptOption((t) => t.commands.imagine.prompt),
      imageOption('image', (t) => t.commands.imagine.image),
      modeOption,
    ],
  },
  async execute(interaction, ctx) {
    const prompt = checkPrompt(interaction.options.getString('prompt'), ctx.upstreams);
    const mode = readMode(interaction, ctx.upstreams);
    const image = interaction.options.getAttachment('image');
    await startFromInteraction(interaction, ctx, {
      title: (t) => t.titles.imagine,
      prompt,
      usesPrefs: true,
      mode,
      images: image ? [{ attachment: image, what: (t) => t.images.theReference }] : [],
      submit: ({ api, common, mode: sendMode, prompt: sent, images }) => api.submitImagine({ prompt: sent, base64Array: images, ...common }, sendMode),
    });
  },
} satisfies Command;
