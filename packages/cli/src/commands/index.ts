/**
 * @module commands
 * Every `keri` command, in the order `keri --help` lists them.
 */
import type { Command } from '../command.js';
import { cesrParse } from './cesr-parse.js';
import { kelVerify } from './kel-verify.js';

export const commands: readonly Command[] = [cesrParse, kelVerify];
