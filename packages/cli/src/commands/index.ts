/**
 * @module commands
 * Every `keri` command, in the order `keri --help` lists them.
 */
import type { Command } from '../command.js';
import { agentStart } from './agent.js';
import { cesrParse } from './cesr-parse.js';
import { delegateConfirm, delegateRequest } from './delegate.js';
import { inceptCommand } from './incept.js';
import { init } from './init.js';
import { kelExport, kelImport } from './kel.js';
import { kelVerify } from './kel-verify.js';
import {
  keysNextCommand,
  listCommand,
  passcodeSetCommand,
  signCommand,
  statusCommand,
  verifyCommand,
} from './keys.js';
import {
  multisigIncept,
  multisigInteract,
  multisigJoin,
  multisigRotate,
  multisigSign,
} from './multisig.js';
import { multisigPolicy } from './multisig-policy.js';
import { multisigExport, multisigImport, multisigStatus } from './multisig-status.js';
import { oobiGenerate, oobiResolve } from './oobi.js';
import { interactCommand, recoverCommand, rotateCommand } from './rotate.js';

export const commands: readonly Command[] = [
  init,
  inceptCommand,
  rotateCommand,
  interactCommand,
  recoverCommand,
  signCommand,
  verifyCommand,
  statusCommand,
  listCommand,
  kelExport,
  kelImport,
  kelVerify,
  delegateRequest,
  delegateConfirm,
  keysNextCommand,
  passcodeSetCommand,
  multisigIncept,
  multisigJoin,
  multisigSign,
  multisigRotate,
  multisigInteract,
  multisigStatus,
  multisigExport,
  multisigImport,
  multisigPolicy,
  oobiGenerate,
  oobiResolve,
  agentStart,
  cesrParse,
];
