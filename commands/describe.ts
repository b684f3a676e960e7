import { InteractionContextType } from 'discord.js';
import type { Command } from '../src/discord/context';
import { checkLink, withImages } from '../src/discord/attachments';
import { checkOneSource, imageOption, linkOption, modeOption, readMode } from '../src/discord/input';
import { startTask } from '../src/discord/start-task';
import { UserError } from '../src/errors';
import { isMjApiError } from '../src/mj/errors';

export default {
  startsTask: true,
  data: {
    name: 'describe',
    description: 'Get four Midjourney prompts that describe an image',
    contexts: [InteractionContextType.Guild],
    options: [
      imageOption('image', 'The image to describe (or give a link)'),
      linkOption('A web link to the image (or attach it)'),
      modeOption,
    ],
  },
  async execute(interaction, ctx) {
    const image = interaction.options.getAttachment('image');
    const rawLink = interaction.options.getString('link');
    const source = checkOneSource(image !== null, rawLink);
    const link = source === 'link' ? checkLink(rawLink ?? '', 'The link') : undefined;
    const mode = readMode(interaction, ctx.provider);
    await withImages(ctx, image ? [{ attachment: image, what: 'The image' }] : [], async (download) => {
      await interaction.deferReply();
      const [base64] = await download();
      const input = base64 ? { base64 } : { link: link ?? '' };
      await startTask(interaction, ctx, {
        title: 'Describe',
        prompt: '',
        mode,
        submit: (common, sendMode) =>
          ctx.mj.submitDescribe({ ...input, ...common }, sendMode).catch((error: unknown) => {
            // The open-source proxy takes images only, and says so as "base64不能为空".
            if (link && isMjApiError(error) && error.kind === 'validation' && /base64/i.test(error.description)) {
              throw new UserError("This server's Midjourney service cannot describe a link. Attach the image to `image:` instead.");
            }
            throw error;
          }),
      });
    });
  },
} satisfies Command;
