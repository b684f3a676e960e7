import { InteractionContextType } from 'discord.js';
import type { Command } from '../src/discord/context';
import { type ImageSlot } from '../src/discord/attachments';
import { imageOption } from '../src/discord/input';
import { startFromInteraction } from '../src/discord/start-task';
import { described } from '../src/i18n';

export default {
  data: {
    name: 'swapface',
    ...described((t) => t.commands.swapface.description),
    contexts: [InteractionContextType.Guild],
    options: [
      imageOption('source', (t) => t.commands.swapface.source, true),
      imageOption('target', (t) => t.commands.swapface.target, true),
    ],
  },
  async execute(interaction, ctx) {
    const slots: ImageSlot[] = [
      { attachment: interaction.options.getAttachment('source', true), what: (t) => t.images.theSource },
      { attachment: interaction.options.getAttachment('target', true), what: (t) => t.images.theTarget },
    ];
    await startFromInteraction(interaction, ctx, {
      title: (t) => t.titles.swapFace,
      prompt: '',
      mode: undefined,
      images: slots,
      submit: ({ api, common, images: [sourceBase64, targetBase64] }) => api.swapFace({ sourceBase64: sourceBase64!, targetBase64: targetBase64!, ...common }),
    });
  },
} satisfies Command;
