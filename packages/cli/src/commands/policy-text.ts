/**
 * @module commands/policy-text
 * The human output of `keri multisig policy`: the continuity analysis in sentences.
 */
import {
  type ContinuityPolicy,
  describeThreshold,
  type EscrowAgentReach,
  type ThresholdContinuity,
  type WitnessThresholdPolicy,
} from '@kestrel/core';

/** How one side of the analysis is worded: signing under kt, rotating under nt. */
interface Wording {
  readonly title: string;
  readonly field: string;
  readonly list: string;
  readonly verb: string;
  readonly noun: string;
}

const SIGNING: Wording = {
  title: 'Signing',
  field: 'kt',
  list: 'the key list k',
  verb: 'sign',
  noun: 'signing',
};
const ROTATION: Wording = {
  title: 'Rotation',
  field: 'nt',
  list: 'the next key digest list n',
  verb: 'rotate',
  noun: 'rotation',
};

function setText(set: readonly number[]): string {
  return `{${set.join(',')}}`;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** The sets shown, then how many were left out. */
function setsText(sets: readonly (readonly number[])[], total: number, joiner = ' '): string {
  const shown = sets.map(setText).join(joiner);
  return total > sets.length ? `${shown} ... and ${total - sets.length} more` : shown;
}

function lossText(side: ThresholdContinuity, words: Wording): string {
  const { tolerates, smallestBlockingSets, smallestBlockingSetCount } = side;
  if (tolerates < 0) {
    const zero = side.threshold.kind === 'numeric' && side.threshold.value === 0;
    return `No set of these members can ${words.verb}${zero ? ` (${words.field} 0: no further ${words.noun})` : ''}.`;
  }
  if (tolerates === 0) {
    // The smallest fatal losses are single members: exactly those in every minimal set.
    const members = smallestBlockingSets.map((set) => set[0]).join(', ');
    const more = smallestBlockingSetCount > smallestBlockingSets.length ? ', ...' : '';
    const who =
      smallestBlockingSetCount === 1
        ? `member ${members} is`
        : `members ${members}${more} are each`;
    return `Losing a single member can block ${words.noun}: ${who} in every set that can ${words.verb}.`;
  }
  const example = smallestBlockingSets[0] ?? [];
  const others =
    smallestBlockingSetCount > 1 ? ` (one of ${smallestBlockingSetCount} such sets)` : '';
  return (
    `Losing any ${plural(tolerates, 'member')} still leaves a set that can ${words.verb}; ` +
    `losing these ${tolerates + 1} blocks ${words.noun}: ${setText(example)}${others}.`
  );
}

function escrowText(reach: EscrowAgentReach, words: Wording): string {
  const who = `Escrow agent (member ${reach.member})`;
  const without = reach.withoutAgent
    ? `the other members can ${words.verb} without it`
    : `the other members cannot ${words.verb} without it`;
  if (!reach.alone && reach.partnerSetCount === 0 && !reach.withoutAgent)
    return `${who} cannot ${words.verb} either: no set of these members can.`;
  if (reach.alone) return `${who} can ${words.verb} alone; ${without}.`;
  if (reach.partnerSetCount === 0)
    return `${who} is in no minimal set: its signature never matters for ${words.noun}; ${without}.`;
  const partners = setsText(reach.partners, reach.partnerSetCount, ' or ');
  return `${who} cannot ${words.verb} alone; it can together with ${partners}; ${without}.`;
}

function sideText(
  side: ThresholdContinuity,
  words: Wording,
  escrowAgent: number | undefined,
): string[] {
  const members = plural(side.memberCount, 'member');
  const lines = [
    `${words.title} (${words.field}: ${describeThreshold(side.threshold, side.memberCount)}; ${members}, numbered as in ${words.list}):`,
  ];
  if (side.minimalSetCount > 0) {
    const count = plural(side.minimalSetCount, 'minimal set');
    lines.push(
      `  Can ${words.verb} (${count}): ${setsText(side.minimalSets, side.minimalSetCount)}`,
    );
  }
  lines.push(`  ${lossText(side, words)}`);
  if (side.escrowAgent !== undefined) lines.push(`  ${escrowText(side.escrowAgent, words)}`);
  else if (escrowAgent !== undefined)
    lines.push(`  Escrow agent (member ${escrowAgent}) is not one of these ${members}.`);
  return lines;
}

function witnessText(witness: WitnessThresholdPolicy): string {
  if (witness.witnesses === 0) return 'Witnesses: none, so the witness threshold (bt) must be 0.';
  const range =
    witness.min === witness.max
      ? `the safe witness threshold (bt) is ${witness.min}`
      : `safe witness thresholds (bt) are ${witness.min} to ${witness.max}`;
  return (
    `Witnesses: ${witness.witnesses} tolerating ${witness.faults} faulty ` +
    `${witness.faults === 1 ? 'one' : 'ones'}: ${range} ((n+f+1)/2 <= m <= n-f).`
  );
}

/** The analysis in sentences, one block per threshold, then the witnesses. */
export function policyText(policy: ContinuityPolicy, escrowAgent?: number): string {
  const lines = sideText(policy.current, SIGNING, escrowAgent);
  if (policy.next !== undefined) lines.push(...sideText(policy.next, ROTATION, escrowAgent));
  if (policy.witnessThreshold !== undefined) lines.push(witnessText(policy.witnessThreshold));
  return `${lines.join('\n')}\n`;
}
