import { InteractionContextType } from 'discord.js';
import type { Command } from '../src/discord/context';
import { type ImageSlot } from '../src/discord/attachments';
import { blendDimensions, checkBlendCount, choiceOption, imageOption, modeOption, readMode } from '../src/discord/input';
import { startFromInteraction } from '../src/discord/start-task';
import { described } from '../src/i18n';

const IMAGE_OPTIONS = ['image1', 'image2', 'image3', 'image4', 'image5'] as const;

const blendImage = (name: (typeof IMAGE_OPTIONS)[number], index: number) =>
  index < 2
    ? imageOption(name, (t) => t.commands.blend.image(index + 1), true)
    : imageOption(name, (t) => t.commands.blend.optionalImage(index + 1));

export default {
  data: {
    name: 'blend',
    ...described((t) => t.commands.blend.description),
    contexts: [InteractionContextType.Guild],
    options: [
      ...IMAGE_OPTIONS.map(blendImage),
      choiceOption('dimensions', (t) => t.commands.blend.dimensions, ['portrait', 'square', 'landscape']),
      modeOption,
    ],
  },
  async execute(interaction, ctx) {
    const images = IMAGE_OPTIONS.map((name) => interaction.options.getAttachment(name)).filter((a) => a !== null);
    checkBlendCount(images.length);
    const dimensions = blendDimensions(interaction.options.getString('dimensions'));
    const mode = readMode(interaction, ctx.upstreams);
    const slots = images.map((attachment, i): ImageSlot => ({ attachment, what: (t) => t.images.nth(i + 1) }));
    await startFromInteraction(interaction, ctx, {
      title: (t) => t.titles.blend(images.length),
      prompt: '',
      mode,
      images: slots,
      submit: ({ api, common, mode: sendMode, images }) => api.submitBlend({ base64Array: images, ...(dimensions ? { dimensions } : {}), ...common }, sendMode),
    });
  },
} satisfies Command;
