// index.ts: the entry of its folder (every folder that has an entry names it so): what the folder offers the layers above.
import type { Command } from '../src/discord/context';
import admin from './admin';
import blend from './blend';
import describe from './describe';
import edit from './edit';
import favorites from './favorites';
import history from './history';
import imagine from './imagine';
import prefer from './prefer';
import quota from './quota';
import settings from './settings';
import shorten from './shorten';
import swapface from './swapface';
import task from './task';
import video from './video';

/** Every slash command, one file each; deploy-commands registers exactly this list. */
export const commands: readonly Command[] = [imagine, blend, describe, shorten, video, edit, swapface, task, favorites, history, quota, settings, prefer, admin];
