import type { Command } from '../src/discord/context';
import admin from './admin';
import blend from './blend';
import describe from './describe';
import edit from './edit';
import imagine from './imagine';
import quota from './quota';
import shorten from './shorten';
import swapface from './swapface';
import task from './task';
import video from './video';

/** Every slash command, one file each; deploy-commands registers exactly this list. */
export const commands: readonly Command[] = [imagine, blend, describe, shorten, video, edit, swapface, task, quota, admin];
