import { InteractionContextType } from 'discord.js';
import type { Command } from '../src/discord/context';
import { checkLink } from '../src/discord/attachments';
import { checkOneSource, imageOption, linkOption, modeOption, readMode } from '../src/discord/input';
import { startFromInteraction } from '../src/discord/start-task';
import { UserError } from '../src/errors';
import { described } from '../src/i18n';
import { isMjApiError } from '../src/mj/errors';

export default {
  data: {
    name: 'describe',
    ...described((t) => t.commands.describe.description),
    contexts: [InteractionContextType.Guild],
    options: [
      imageOption('image', (t) => t.commands.describe.image),
      linkOption((t) => t.commands.describe.link),
      modeOption,
    ],
  },
  async execute(interaction, ctx) {
    const image = interaction.options.getAttachment('image');
    const rawLink = interaction.options.getString('link');
    const source = checkOneSource(image !== null, rawLink);
    const link = source === 'link' ? await checkLink(ctx, rawLink ?? '', (t) => t.images.theLink) : undefined;
    const mode = readMode(interaction, ctx.upstreams);
    await startFromInteraction(interaction, ctx, {
      title: (t) => t.titles.describe,
      prompt: '',
      mode,
      images: image ? [{ attachment: image, what: (t) => t.images.theImage }] : [],
      submit: ({ api, common, mode: sendMode, images: [base64] }) =>
        api.submitDescribe({ ...(base64 ? { base64 } : { link: link ?? '' }), ...common }, sendMode).catch((error: unknown) => {
          // The open-source proxy takes images only, and says so as "base64不能为空".
          if (link && isMjApiError(error) && error.kind === 'validation' && /base64/i.test(error.description)) {
            throw new UserError((t) => t.input.describeNoLink);
          }
          throw error;
        }),
    });
  },
} satisfies Command;
