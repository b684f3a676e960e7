import { InteractionContextType } from 'discord.js';
import type { Command } from '../src/discord/context';
import { withImages } from '../src/discord/attachments';
import { imageOption } from '../src/discord/input';
import { startTask } from '../src/discord/start-task';

export default {
  startsTask: true,
  data: {
    name: 'swapface',
    description: 'Put the face from one picture onto the person in another (InsightFace)',
    contexts: [InteractionContextType.Guild],
    options: [
      imageOption('source', 'The picture with the face to use', true),
      imageOption('target', 'The picture whose face is replaced', true),
    ],
  },
  async execute(interaction, ctx) {
    const source = interaction.options.getAttachment('source', true);
    const target = interaction.options.getAttachment('target', true);
    const slots = [
      { attachment: source, what: 'The source picture' },
      { attachment: target, what: 'The target picture' },
    ];
    await withImages(ctx, slots, async (download) => {
      await interaction.deferReply();
      const [sourceBase64, targetBase64] = await download();
      await startTask(interaction, ctx, {
        title: 'Face swap',
        prompt: '',
        mode: undefined,
        submit: (common) => ctx.mj.swapFace({ sourceBase64: sourceBase64!, targetBase64: targetBase64!, ...common }),
      });
    });
  },
} satisfies Command;
