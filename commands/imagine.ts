import { InteractionContextType } from 'discord.js';
import type { Command } from '../src/discord/context';
import { withImages } from '../src/discord/attachments';
import { checkPrompt, imageOption, modeOption, promptOption, readMode } from '../src/discord/input';
import { startTask } from '../src/discord/start-task';
import { described } from '../src/i18n';

export default {
  startsTask: true,
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
    await withImages(ctx, image ? [{ attachment: image, what: (t) => t.images.theReference }] : [], async (download) => {
      await interaction.deferReply();
      const base64Array = await download();
      await startTask(interaction, ctx, {
        title: (t) => t.titles.imagine,
        prompt,
        usesPrefs: true,
        mode,
        submit: (common, sendMode, sent) => ctx.mj.submitImagine({ prompt: sent, base64Array, ...common }, sendMode),
      });
    });
  },
} satisfies Command;
