/**
 * @module commands/multisig-output
 * How the multisig commands print proposals, groups and deliveries, for people and as JSON.
 */

import type { GroupStatus, ProposalView } from '@kestrel/controller';
import { thresholdToSith } from '@kestrel/core';
import { snForPeople } from '../sequence-number.js';
import type { SendReport } from './multisig-session.js';

function who(signer: ProposalView['signers'][number]): string {
  return signer.alias ? `${signer.alias} (${signer.member.slice(0, 8)}…)` : signer.member;
}

export function proposalText(view: ProposalView): string {
  const signed = view.signers.filter((s) => s.signed).map(who);
  const waiting = view.signers.filter((s) => !s.signed).map(who);
  const lines = [
    `${view.ilk} ${view.said}  sn ${snForPeople(view.sn)}  ${view.state}${view.signedHere ? '' : ' (not signed here)'}`,
    `  group ${view.group}, proposed by ${view.proposer}, expires ${view.expiresAt}`,
    `  signed: ${signed.join(', ') || 'nobody'}${waiting.length > 0 ? `; not yet: ${waiting.join(', ')}` : ''}`,
    `  signing threshold ${view.current.threshold}: ${view.current.met ? 'met' : 'not met'}`,
  ];
  if (view.priorNext)
    lines.push(
      `  prior next threshold ${view.priorNext.threshold}: ${view.priorNext.met ? 'met' : 'not met'}`,
    );
  lines.push(`  still needed: ${view.missing}`);
  return lines.join('\n');
}

export function sendText(report: SendReport): string {
  if ('queued' in report)
    return report.queued === 0
      ? ''
      : `Sending to ${report.queued} member(s) through the agent (it retries those away).`;
  return report.results
    .map((r) =>
      r.delivered ? `Sent the ${r.what} to ${r.to}.` : `Not sent to ${r.to}: ${r.reason}.`,
    )
    .join('\n');
}

export function sendJson(report: SendReport) {
  return 'queued' in report ? { queued: report.queued } : { deliveries: report.results };
}

export function groupText(
  status: GroupStatus,
  names: (prefix: string) => string | undefined,
): string {
  const name = (prefix: string) => (names(prefix) ? `${names(prefix)} (${prefix})` : prefix);
  const lines = [`${status.alias}  ${status.prefix}`];
  const state = status.state;
  if (state) {
    lines.push(
      `  sn ${state.sn} (${state.ilk}); signing threshold ${JSON.stringify(thresholdToSith(state.signingThreshold))} over ${state.keys.length} keys; next threshold ${JSON.stringify(thresholdToSith(state.nextThreshold))} over ${state.nextKeyDigests.length} digests`,
    );
  } else {
    lines.push('  not incepted yet: its inception is still being signed');
  }
  lines.push(`  we take part as ${status.member} (${status.memberPrefix})`);
  lines.push(`  signing members: ${status.signingMembers.map(name).join(', ')}`);
  lines.push(`  rotation members: ${status.rotationMembers.map(name).join(', ')}`);
  const live = status.proposals.filter((p) => p.state === 'pending' || p.state === 'invited');
  lines.push(live.length === 0 ? 'No proposal waiting.' : 'Proposals waiting:');
  for (const proposal of live) lines.push(indent(proposalText(proposal)));
  const recent = status.proposals
    .filter((p) => p.state === 'complete' || p.state === 'expired')
    .slice(0, 5);
  if (recent.length > 0) lines.push('Recent:');
  for (const proposal of recent)
    lines.push(
      `  ${proposal.ilk} ${proposal.said} sn ${snForPeople(proposal.sn)}: ${proposal.state}`,
    );
  return lines.join('\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
