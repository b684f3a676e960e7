import type { Command } from '../src/discord/context';
import imagine from './imagine';
import task from './task';

/** Every slash command, one file each; deploy-commands registers exactly this list. */
export const commands: readonly Command[] = [imagine, task];
