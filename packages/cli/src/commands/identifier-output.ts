/**
 * @module commands/identifier-output
 * How commands print an identifier's key state: a short human summary, or JSON (keripy's key
 * state record fields, without secrets).
 */
import { type KeyState, toKeyStateRecord } from '@kestrel/core';

export function stateJson(state: KeyState) {
  return toKeyStateRecord(state);
}

export function stateSummary(alias: string, state: KeyState): string {
  const witnesses =
    state.witnesses.length === 0
      ? 'no witnesses'
      : `${state.witnesses.length} witnesses (toad ${state.witnessThreshold})`;
  const next =
    state.nextKeyDigests.length === 0
      ? 'no next keys (abandoned or non-transferable)'
      : `${state.nextKeyDigests.length} next key commitment(s)`;
  return [
    `${alias}  ${state.prefix}`,
    `  sn ${state.sn} (${state.ilk}), last establishment at sn ${state.lastEstablishment.sn}`,
    `  signing keys: ${state.keys.join(', ')}`,
    `  ${next}; ${witnesses}${state.delegator ? `; delegated by ${state.delegator}` : ''}`,
  ].join('\n');
}
