import { InteractionContextType } from 'discord.js';
import type { Command } from '../src/discord/context';
import { withImages } from '../src/discord/attachments';
import { blendDimensions, checkBlendCount, choiceOption, imageOption, modeOption, readMode } from '../src/discord/input';
import { startTask } from '../src/discord/start-task';

const IMAGE_OPTIONS = ['image1', 'image2', 'image3', 'image4', 'image5'] as const;

const blendImage = (name: string, index: number) => imageOption(name, index < 2 ? `Image ${index + 1} to blend` : `Image ${index + 1} to blend (optional)`, index < 2);

export default {
  startsTask: true,
  data: {
    name: 'blend',
    description: 'Blend two to five images into a new one with Midjourney',
    contexts: [InteractionContextType.Guild],
    options: [
      ...IMAGE_OPTIONS.map(blendImage),
      choiceOption('dimensions', 'Shape of the result (default: square)', [
        ['portrait (2:3)', 'portrait'],
        ['square (1:1)', 'square'],
        ['landscape (3:2)', 'landscape'],
      ]),
      modeOption,
    ],
  },
  async execute(interaction, ctx) {
    const images = IMAGE_OPTIONS.map((name) => interaction.options.getAttachment(name)).filter((a) => a !== null);
    checkBlendCount(images.length);
    const dimensions = blendDimensions(interaction.options.getString('dimensions'));
    const mode = readMode(interaction, ctx.provider);
    const slots = images.map((attachment, i) => ({ attachment, what: `Image ${i + 1}` }));
    await withImages(ctx, slots, async (download) => {
      await interaction.deferReply();
      const base64Array = await download();
      await startTask(interaction, ctx, {
        title: `Blend of ${images.length} images`,
        prompt: '',
        mode,
        submit: (common, sendMode) => ctx.mj.submitBlend({ base64Array, ...(dimensions ? { dimensions } : {}), ...common }, sendMode),
      });
    });
  },
} satisfies Command;
