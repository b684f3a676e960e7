import { InteractionContextType } from 'discord.js';
import type { Command } from '../src/discord/context';
import { withImages } from '../src/discord/attachments';
import { checkPrompt, imageOption, modeOption, promptOption, readMode } from '../src/discord/input';
import { startTask } from '../src/discord/start-task';

export default {
  startsTask: true,
  data: {
    name: 'imagine',
    description: 'Create four images from a text prompt with Midjourney',
    contexts: [InteractionContextType.Guild],
    options: [
      promptOption('What to draw, with any Midjourney parameters (--ar 3:2, --v 7, …)'),
      imageOption('image', 'A reference image (image prompt)'),
      modeOption,
    ],
  },
  async execute(interaction, ctx) {
    const prompt = checkPrompt(interaction.options.getString('prompt'), ctx.provider);
    const mode = readMode(interaction, ctx.provider);
    const image = interaction.options.getAttachment('image');
    await withImages(ctx, image ? [{ attachment: image, what: 'The reference image' }] : [], async (download) => {
      await interaction.deferReply();
      const base64Array = await download();
      await startTask(interaction, ctx, {
        title: 'Imagine',
        prompt,
        mode,
        submit: (common, sendMode) => ctx.mj.submitImagine({ prompt, base64Array, ...common }, sendMode),
      });
    });
  },
} satisfies Command;
