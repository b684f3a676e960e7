import { InteractionContextType } from 'discord.js';
import type { Command } from '../src/discord/context';
import { withImages } from '../src/discord/attachments';
import { checkPrompt, imageOption, modeOption, promptOption, readMode } from '../src/discord/input';
import { startTask } from '../src/discord/start-task';
import { described } from '../src/i18n';

export default {
  startsTask: true,
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
    const prompt = checkPrompt(interaction.options.getString('prompt'), ctx.provider);
    const image = interaction.options.getAttachment('image', true);
    const mode = readMode(interaction, ctx.provider);
    await withImages(ctx, [{ attachment: image, what: (t) => t.images.theImage }], async (download) => {
      await interaction.deferReply();
      const [data] = await download();
      await startTask(interaction, ctx, {
        title: (t) => t.titles.edit,
        prompt,
        usesPrefs: true,
        mode,
        submit: (common, sendMode, sent) => ctx.mj.submitEdits({ prompt: sent, image: data!, ...common }, sendMode),
      });
    });
  },
} satisfies Command;
