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
    const prompt = checkPrompt(interaction.options.getString('prompt'), ctx.provider);
    const mode = readMode(interaction, ctx.provider);
    const image = interaction.options.getAttachment('image');
    await startFromInteraction(interaction, ctx, {
      title: (t) => t.titles.imagine,
      prompt,
      usesPrefs: true,
      mode,
      images: image ? [{ attachment: image, what: (t) => t.images.theReference }] : [],
      submit: (common, sendMode, sent, base64Array) => ctx.mj.submitImagine({ prompt: sent, base64Array, ...common }, sendMode),
    });
  },
} satisfies Command;
