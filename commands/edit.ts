import { ApplicationCommandOptionType, InteractionContextType } from 'discord.js';
import type { Command } from '../src/discord/context';
import { attachmentAsDataUrl, checkAttachmentSize, imageCap } from '../src/discord/attachments';
import { checkPrompt, modeOption, promptOption, readMode } from '../src/discord/input';
import { startTask } from '../src/discord/start-task';

export default {
  data: {
    name: 'edit',
    description: 'Edit an image with a prompt (Midjourney editor)',
    contexts: [InteractionContextType.Guild],
    options: [
      promptOption('What the edited image should show'),
      { type: ApplicationCommandOptionType.Attachment, name: 'image', description: 'The image to edit', required: true },
      modeOption,
    ],
  },
  async execute(interaction, ctx) {
    const prompt = checkPrompt(interaction.options.getString('prompt'), ctx.provider);
    const image = interaction.options.getAttachment('image', true);
    const mode = readMode(interaction, ctx.provider);
    const cap = imageCap(ctx.config.MAX_UPLOAD_BYTES);
    checkAttachmentSize(image, 'The image', cap);
    await interaction.deferReply();
    const data = await attachmentAsDataUrl(image, 'The image', cap);
    await startTask(interaction, ctx, {
      title: 'Edit',
      prompt,
      mode,
      submit: (common) => ctx.mj.submitEdits({ prompt, image: data, ...common }, mode),
    });
  },
} satisfies Command;
