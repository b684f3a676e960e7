import { InteractionContextType } from 'discord.js';
import type { Command } from '../src/discord/context';
import { withImages } from '../src/discord/attachments';
import { checkPrompt, imageOption, modeOption, promptOption, readMode } from '../src/discord/input';
import { startTask } from '../src/discord/start-task';

export default {
  startsTask: true,
  data: {
    name: 'edit',
    description: 'Edit an image with a prompt (Midjourney editor)',
    contexts: [InteractionContextType.Guild],
    options: [
      promptOption('What the edited image should show'),
      imageOption('image', 'The image to edit', true),
      modeOption,
    ],
  },
  async execute(interaction, ctx) {
    const prompt = checkPrompt(interaction.options.getString('prompt'), ctx.provider);
    const image = interaction.options.getAttachment('image', true);
    const mode = readMode(interaction, ctx.provider);
    await withImages(ctx, [{ attachment: image, what: 'The image' }], async (download) => {
      await interaction.deferReply();
      const [data] = await download();
      await startTask(interaction, ctx, {
        title: 'Edit',
        prompt,
        mode,
        submit: (common, sendMode) => ctx.mj.submitEdits({ prompt, image: data!, ...common }, sendMode),
      });
    });
  },
} satisfies Command;
