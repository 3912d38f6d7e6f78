/**
 * @module group/group-manager
 * Multisig groups from one member's side: proposing group events, checking and signing what other
 * members propose, gathering signatures until the group's thresholds are met, and publishing the
 * complete event to the other members.
 *
 * Proposals and the signatures gathered for them are kept in the controller's records, so they
 * survive restarts and keep the whole set even when the KEL store's partially-signed escrow times
 * out. Every event, with all signatures known here, goes through the same validator a remote
 * party uses: a group event is complete exactly when that validator accepts it.
 *
 * Messages between members are keripy's `exn` (`/multisig/icp|rot|ixn`) signed by the sending
 * member, preceded by the KELs the receiver needs to check them (the members' and the group's).
 */
import {
  concatBytes,
  type IndexedSignature,
  indexerFromQb64,
  isoDateTime,
  type Message,
  parseHexNumber,
  parseStream,
  smell,
  toHex,
} from '@kestrel/cesr';
import {
  type BuiltMessage,
  checkEndorsement,
  controllerSignatures,
  EventError,
  exchange,
  interact,
  isKeyEventIlk,
  type KeyEvent,
  type KeyState,
  messagize,
  type Outcome,
  type ReceivedExchange,
  readAttachments,
  readExchange,
  readKeyEvent,
  type Seal,
  thresholdToSith,
  verifySignatures,
} from '@kestrel/core';
import type { Controller } from '../controller.js';
import { ControllerError } from '../errors.js';
import type { GroupRecord, PriorKeys, ProposalRecord } from '../records/records.js';
import {
  buildGroupInception,
  buildGroupRotation,
  checkProposedKeys,
  type GroupInceptionPlan,
  type GroupMembership,
  type GroupRotationPlan,
  type MemberStates,
  signingPositions,
} from './group-events.js';
import { OwnSignatureGuard, ownSignatureRefusal } from './own-signatures.js';
import { type ProposalView, viewProposal } from './proposal-view.js';
import { isMultisigRoute, MULTISIG_ROUTES, routeOf } from './routes.js';

/** keripy's partially-signed escrow timeout, our default lifetime of a proposal. */
export const DEFAULT_PROPOSAL_SECONDS = 3600;

/**
 * How long a completed or expired proposal stays listed (and answers late messages by name)
 * before it is forgotten: a week. Its event, if any, stays in the group's KEL for good.
 */
export const DEFAULT_RETENTION_SECONDS = 7 * 24 * 3600;

/** A message for another member. */
export interface Delivery {
  readonly to: string;
  readonly bytes: Uint8Array;
  /** What it is, for people: 'proposal', 'signatures', 'published event'. */
  readonly what: string;
}

export interface ProposalResult {
  readonly proposal: ProposalView;
  readonly deliveries: readonly Delivery[];
}

/** What happened to one message of a received stream. */
export type ReceivedItem =
  | { readonly kind: 'event'; readonly outcome: Outcome }
  | {
      readonly kind: 'proposal';
      readonly said: string;
      readonly group: string;
      readonly from: string;
      readonly state: ProposalRecord['state'];
      readonly added: number;
    }
  | {
      readonly kind: 'refused';
      readonly from: string;
      readonly code: string;
      readonly reason: string;
    };

export interface ReceiveReport {
  readonly items: readonly ReceivedItem[];
  readonly deliveries: readonly Delivery[];
}

export interface GroupStatus {
  readonly alias: string;
  readonly prefix: string;
  readonly member: string;
  readonly memberPrefix: string;
  readonly state: KeyState | undefined;
  readonly signingMembers: readonly string[];
  readonly rotationMembers: readonly string[];
  readonly proposals: readonly ProposalView[];
}

export interface InceptGroupOptions extends GroupInceptionPlan {
  /** Our local name for the group. */
  readonly group: string;
  /** Alias of our own member identifier. */
  readonly member: string;
  /** Lifetime of the proposal in seconds. */
  readonly expiresIn?: number;
}

export interface ManagerOptions {
  /** Default lifetime of proposals, seconds. */
  readonly proposalSeconds?: number;
  /** How long completed and expired proposals are kept, seconds (default a week). */
  readonly retentionSeconds?: number;
}

export class GroupManager {
  /**
   * The earliest time a proposal needs attention: a live one expiring, or an ended one to forget
   * (undefined: not known yet).
   */
  private earliestExpiry: number | undefined;

  /** Keeps signatures made with our keys from elsewhere from counting (see own-signatures.ts). */
  private readonly guard: OwnSignatureGuard;

  constructor(
    readonly controller: Controller,
    private readonly options: ManagerOptions = {},
  ) {
    this.guard = new OwnSignatureGuard(controller, this.states);
  }

  private get records() {
    return this.controller.records;
  }

  private get crypto() {
    return this.controller.crypto;
  }

  private now(): number {
    return this.controller.clock.now();
  }

  private readonly states: MemberStates = (prefix) =>
    this.controller.processor.context.state(prefix);

  /** Our identifiers' prefixes by alias (only those with a KEL). */
  private ownPrefixes(): Map<string, string> {
    const own = new Map<string, string>();
    for (const alias of this.controller.keystore.aliases()) {
      const prefix = this.controller.keystore.sequence(alias)?.prefix;
      if (prefix) own.set(prefix, alias);
    }
    return own;
  }

  group(alias: string): GroupRecord {
    const record = this.records.group(alias);
    if (!record) throw new ControllerError('unknown_group', `No group '${alias}' here`);
    return record;
  }

  private name(prefix: string): string | undefined {
    return (
      this.ownPrefixes().get(prefix) ??
      this.records.endpoint(prefix)?.alias ??
      this.records.groupByPrefix(prefix)?.alias
    );
  }

  // ---- proposing ------------------------------------------------------------------------------

  /** Proposes a new group: builds its inception from the members' KELs and signs our part. */
  async proposeInception(options: InceptGroupOptions): Promise<ProposalResult> {
    if (this.records.group(options.group))
      throw new ControllerError('exists', `Group alias '${options.group}' is already in use`);
    const memberPrefix = this.controller.prefixOf(options.member);
    const rotationMembers =
      options.rotationMembers.length > 0 ? options.rotationMembers : options.signingMembers;
    if (!options.signingMembers.includes(memberPrefix) && !rotationMembers.includes(memberPrefix)) {
      throw new ControllerError(
        'not_member',
        `Our identifier '${options.member}' (${memberPrefix}) is not among the members`,
      );
    }
    const plan = { ...options, rotationMembers };
    const built = buildGroupInception(this.crypto.digest, this.states, plan);
    const event = this.read(built);
    const record: GroupRecord = {
      alias: options.group,
      prefix: event.prefix,
      member: options.member,
      memberPrefix,
      signingMembers: [...plan.signingMembers],
      rotationMembers: [...rotationMembers],
      createdAt: new Date(this.now()).toISOString(),
    };
    await this.records.putGroup(record);
    this.controller.addLocalPrefix(event.prefix);
    return this.propose(
      event,
      memberPrefix,
      plan.signingMembers,
      rotationMembers,
      options.expiresIn,
      plan.delegator,
    );
  }

  /** Proposes a rotation of a group we are a member of. */
  async proposeRotation(
    alias: string,
    plan: Partial<GroupRotationPlan> & { readonly expiresIn?: number },
  ): Promise<ProposalResult> {
    const group = this.group(alias);
    const state = this.groupState(group);
    const signingMembers = plan.signingMembers ?? group.signingMembers;
    const rotationMembers = plan.rotationMembers ?? plan.signingMembers ?? group.rotationMembers;
    const built = buildGroupRotation(this.crypto, state, this.states, {
      ...plan,
      signingMembers,
      rotationMembers,
    });
    const event = this.read(built);
    return this.propose(event, group.memberPrefix, signingMembers, rotationMembers, plan.expiresIn);
  }

  /** Proposes an interaction (anchoring `data`) of a group we are a member of. */
  async proposeInteraction(
    alias: string,
    data: readonly Seal[],
    expiresIn?: number,
  ): Promise<ProposalResult> {
    const group = this.group(alias);
    const state = this.groupState(group);
    const built = interact(this.crypto.digest, {
      prefix: state.prefix,
      prior: state.said,
      sn: state.sn + 1n,
      data,
    });
    return this.propose(
      this.read(built),
      group.memberPrefix,
      group.signingMembers,
      group.rotationMembers,
      expiresIn,
    );
  }

  private read(built: BuiltMessage): KeyEvent {
    return readKeyEvent(
      { raw: built.raw, version: smell(built.raw), sad: built.sad },
      this.crypto.digest,
    );
  }

  private groupState(group: GroupRecord): KeyState {
    const state = this.states(group.prefix);
    if (!state) {
      throw new ControllerError(
        'unknown_group',
        `Group '${group.alias}' has no KEL here yet: its inception is still being signed (see keri multisig status)`,
      );
    }
    return state;
  }

  private async propose(
    event: KeyEvent,
    memberPrefix: string,
    signingMembers: readonly string[],
    rotationMembers: readonly string[],
    expiresIn: number | undefined,
    delegator?: string,
  ): Promise<ProposalResult> {
    await this.expire();
    const prior = priorKeys(this.states(event.prefix));
    const existing = this.records.proposal(event.said);
    if (existing && existing.state !== 'expired')
      throw new ControllerError('exists', `That exact event is already proposed (${event.said})`);
    const now = this.now();
    const record: ProposalRecord = {
      said: event.said,
      groupPrefix: event.prefix,
      ilk: event.ilk,
      sn: toHex(event.sn),
      raw: event.raw,
      proposer: memberPrefix,
      signingMembers: [...signingMembers],
      rotationMembers: [...rotationMembers],
      ...(delegator !== undefined ? { delegator } : {}),
      ...(prior ? { prior } : {}),
      createdAt: now,
      expiresAt:
        now + (expiresIn ?? this.options.proposalSeconds ?? DEFAULT_PROPOSAL_SECONDS) * 1000,
      signatures: [],
      state: 'invited',
      signed: false,
      updatedAt: now,
    };
    return this.signRecord(record, event);
  }

  // ---- joining and signing ----------------------------------------------------------------------

  /**
   * Joins a group: accepts its proposed inception, or a proposed rotation that adds one of our
   * identifiers as a member; records the group under `group` and signs our part.
   */
  async join(said: string, options: { group: string; member: string }): Promise<ProposalResult> {
    await this.expire();
    const seen = this.records.proposal(said);
    // A rotation that made us a member may have completed without our signature: joining it
    // then only records the group.
    const record = seen?.state === 'complete' ? seen : await this.liveProposal(said);
    if (record.ilk === 'ixn')
      throw new ControllerError(
        'bad_plan',
        `Proposal ${said} is an interaction: members sign it with 'keri multisig sign'`,
      );
    const existing = this.records.groupByPrefix(record.groupPrefix);
    if (existing) {
      if (record.state === 'complete')
        throw new ControllerError(
          'exists',
          `Group ${record.groupPrefix} is already here as '${existing.alias}'`,
        );
      return this.sign(said);
    }
    if (this.records.group(options.group))
      throw new ControllerError('exists', `Group alias '${options.group}' is already in use`);
    const memberPrefix = this.controller.prefixOf(options.member);
    if (
      !record.signingMembers.includes(memberPrefix) &&
      !record.rotationMembers.includes(memberPrefix)
    ) {
      throw new ControllerError(
        'not_member',
        `'${options.member}' (${memberPrefix}) is not a member of the proposed group`,
      );
    }
    const event = this.eventOf(record);
    const complete = record.state === 'complete';
    if (!complete && (record.ilk === 'icp' || record.ilk === 'dip'))
      checkProposedKeys(event, this.states, record);
    else if (!complete) this.checkAgainstGroup(event, record);
    await this.records.putGroup({
      alias: options.group,
      prefix: record.groupPrefix,
      member: options.member,
      memberPrefix,
      signingMembers: [...record.signingMembers],
      rotationMembers: [...record.rotationMembers],
      createdAt: new Date(this.now()).toISOString(),
    });
    this.controller.addLocalPrefix(record.groupPrefix);
    if (complete) return { proposal: this.view(record), deliveries: [] };
    return this.signRecord(record, event);
  }

  /** Signs a proposed rotation or interaction of a group we are a member of. */
  async sign(said: string): Promise<ProposalResult> {
    const record = await this.liveProposal(said);
    const group = this.records.groupByPrefix(record.groupPrefix);
    if (!group) {
      throw new ControllerError(
        'unknown_group',
        `Proposal ${said} is for group ${record.groupPrefix}, which we have not joined: use 'keri multisig join'`,
      );
    }
    const event = this.eventOf(record);
    this.checkAgainstGroup(event, record);
    return this.signRecord(record, event);
  }

  private async liveProposal(said: string): Promise<ProposalRecord> {
    await this.expire();
    const record = this.records.proposal(said);
    if (!record) throw new ControllerError('unknown_proposal', `No proposal ${said} here`);
    if (record.state === 'expired') {
      throw new ControllerError(
        'expired',
        `Proposal ${said} expired at ${new Date(record.expiresAt).toISOString()}: it can no longer be signed; propose it again`,
      );
    }
    if (record.state === 'complete')
      throw new ControllerError('exists', `Proposal ${said} is already complete`);
    return record;
  }

  private eventOf(record: ProposalRecord): KeyEvent {
    const [message] = parseStream(record.raw).messages;
    return readKeyEvent(message!.body, this.crypto.digest);
  }

  /** A rotation or interaction must follow the group's KEL here, and name the members' keys. */
  private checkAgainstGroup(event: KeyEvent, membership: GroupMembership): void {
    const state = this.states(event.prefix);
    if (!state) {
      throw new ControllerError(
        'unknown_group',
        `The KEL of group ${event.prefix} is not known here`,
      );
    }
    if (event.sn !== state.sn + 1n || event.prior !== state.said) {
      throw new ControllerError(
        'bad_proposal',
        `The proposed ${event.ilk} (sn ${event.sn}) does not follow the group's latest event here (sn ${state.sn}, ${state.said})`,
      );
    }
    if (event.ilk === 'rot' || event.ilk === 'drt')
      checkProposedKeys(event, this.states, membership);
  }

  /** Adds the signatures we can make to a proposal, records it, and says what to send. */
  private async signRecord(record: ProposalRecord, event: KeyEvent): Promise<ProposalResult> {
    const group = this.states(event.prefix);
    const positions = signingPositions(this.crypto, event, group, (key) =>
      this.controller.canSign(key),
    );
    const ours: IndexedSignature[] = [];
    for (const position of positions)
      ours.push(
        await this.controller.signAt(position.publicKey, event.raw, position.index, position.ondex),
      );
    const signatures = mergeSignatures(record.signatures, ours);
    const updated: ProposalRecord = {
      ...record,
      signatures,
      signed: true,
      state: 'pending',
      updatedAt: this.now(),
    };
    const groupRecord = this.records.groupByPrefix(record.groupPrefix);
    const completed = await this.submit(updated, event, groupRecord);
    const final = completed ?? updated;
    await this.saveProposal(final);
    const deliveries = completed
      ? this.publication(final)
      : await this.proposalDeliveries(final, event, groupRecord?.member);
    return { proposal: this.view(final), deliveries };
  }

  /**
   * Processes the event with every signature gathered, as the group's owner would. Returns the
   * completed record when the validator accepted it.
   */
  private async submit(
    record: ProposalRecord,
    event: KeyEvent,
    group: GroupRecord | undefined,
  ): Promise<ProposalRecord | undefined> {
    if (!group) return undefined; // an invitation we have not joined: nothing to keep in our KELs
    const signatures = record.signatures.map((qb64) => indexerFromQb64(qb64));
    const message = parseStream(messagize(event.raw, [controllerSignatures(signatures)]))
      .messages[0]!;
    this.controller.processor.process(message, { local: true });
    await this.controller.processor.flush();
    return this.completedIfAccepted(record);
  }

  private async completedIfAccepted(record: ProposalRecord): Promise<ProposalRecord | undefined> {
    const sn = parseHexNumber(record.sn);
    if (this.controller.store.lastSaidAt(record.groupPrefix, sn) !== record.said) return undefined;
    const done: ProposalRecord = { ...record, state: 'complete', updatedAt: this.now() };
    const group = this.records.groupByPrefix(record.groupPrefix);
    if (group && record.ilk !== 'ixn') {
      await this.records.putGroup({
        ...group,
        signingMembers: [...record.signingMembers],
        rotationMembers: [...record.rotationMembers],
      });
    }
    return done;
  }

  // ---- messages to other members ----------------------------------------------------------------

  /** Everyone concerned by a proposal except us: its members, and the group's current members. */
  private recipients(record: ProposalRecord): string[] {
    const own = this.ownPrefixes();
    const group = this.records.groupByPrefix(record.groupPrefix);
    const all = new Set([
      ...record.signingMembers,
      ...record.rotationMembers,
      ...(group?.signingMembers ?? []),
      ...(group?.rotationMembers ?? []),
    ]);
    return [...all].filter((prefix) => !own.has(prefix));
  }

  /** The KELs a member needs to check a proposal: every member's, and the group's. */
  private kels(record: ProposalRecord): Uint8Array {
    const prefixes = new Set([...record.signingMembers, ...record.rotationMembers]);
    const group = this.records.groupByPrefix(record.groupPrefix);
    for (const member of [...(group?.signingMembers ?? []), ...(group?.rotationMembers ?? [])])
      prefixes.add(member);
    const parts = [...prefixes].map((prefix) => this.controller.kelStream(prefix));
    if (record.ilk !== 'icp' && record.ilk !== 'dip')
      parts.push(this.controller.kelStream(record.groupPrefix));
    return concatBytes(...parts);
  }

  /** Our `exn` carrying the proposed event with every signature gathered so far. */
  async proposalMessage(record: ProposalRecord, memberAlias?: string): Promise<Uint8Array> {
    const alias =
      memberAlias ??
      this.records.groupByPrefix(record.groupPrefix)?.member ??
      this.anyMemberAlias(record);
    const sender = this.controller.prefixOf(alias);
    const route = routeOf(record.ilk);
    const label = MULTISIG_ROUTES[route].label;
    const signatures = record.signatures.map((qb64) => indexerFromQb64(qb64));
    const embedded = messagize(record.raw, [controllerSignatures(signatures)]);
    const payload: Record<string, unknown> = {
      gid: record.groupPrefix,
      smids: [...record.signingMembers],
      ...(route === '/multisig/ixn' ? {} : { rmids: [...record.rotationMembers] }),
      ...(record.delegator !== undefined ? { delegator: record.delegator } : {}),
      expires: isoDateTime(new Date(record.expiresAt)),
    };
    const built = exchange(this.crypto.digest, {
      route,
      sender,
      payload,
      date: isoDateTime(new Date(this.now())),
      embeds: { [label]: embedded },
    });
    const endorsement = await this.controller.endorse(alias, built.message.raw);
    return messagize(built.message.raw, [endorsement, ...built.pathedGroups]);
  }

  private anyMemberAlias(record: ProposalRecord): string {
    const own = this.ownPrefixes();
    for (const member of [...record.signingMembers, ...record.rotationMembers]) {
      const alias = own.get(member);
      if (alias) return alias;
    }
    throw new ControllerError(
      'not_member',
      `None of our identifiers is a member of group ${record.groupPrefix}`,
    );
  }

  private async proposalDeliveries(
    record: ProposalRecord,
    _event: KeyEvent,
    memberAlias: string | undefined,
  ): Promise<Delivery[]> {
    const bytes = concatBytes(this.kels(record), await this.proposalMessage(record, memberAlias));
    return this.recipients(record).map((to) => ({ to, bytes, what: 'proposal' }));
  }

  /** The complete event (the group's KEL) for every other member. */
  private publication(record: ProposalRecord): Delivery[] {
    const bytes = concatBytes(this.kels(record), this.controller.kelStream(record.groupPrefix));
    return this.recipients(record).map((to) => ({ to, bytes, what: 'published event' }));
  }

  /**
   * Our identifier's KEL for the other members of every group it takes part in: after it rotates,
   * they need its new key to build and check the group's next rotation.
   */
  kelDeliveries(prefix: string): Delivery[] {
    const own = this.ownPrefixes();
    const recipients = new Set<string>();
    for (const group of this.records.allGroups()) {
      if (group.memberPrefix !== prefix) continue;
      for (const member of [...group.signingMembers, ...group.rotationMembers])
        if (!own.has(member)) recipients.add(member);
    }
    if (recipients.size === 0) return [];
    const bytes = this.controller.kelStream(prefix);
    return [...recipients].map((to) => ({ to, bytes, what: 'member KEL' }));
  }

  /** A proposal with everything needed to check and sign it, for a member offline (a file). */
  async exportProposal(said: string): Promise<Uint8Array> {
    const record = this.records.proposal(said);
    if (!record) throw new ControllerError('unknown_proposal', `No proposal ${said} here`);
    return concatBytes(this.kels(record), await this.proposalMessage(record));
  }

  /** What a member catching up needs: the group's KEL, the members' KELs, the live proposals. */
  async catchUp(groupPrefix: string): Promise<Uint8Array> {
    const group = this.records.groupByPrefix(groupPrefix);
    if (!group) throw new ControllerError('unknown_group', `No group ${groupPrefix} here`);
    await this.expire();
    const parts = [
      ...[...new Set([...group.signingMembers, ...group.rotationMembers])].map((prefix) =>
        this.controller.kelStream(prefix),
      ),
      this.controller.kelStream(groupPrefix),
    ];
    for (const record of this.records.allProposals()) {
      if (record.groupPrefix !== groupPrefix) continue;
      if (record.state !== 'pending' && record.state !== 'invited') continue;
      if (record.signatures.length === 0) continue;
      parts.push(this.kels(record), await this.proposalMessage(record, group.member));
    }
    return concatBytes(...parts);
  }

  // ---- receiving ------------------------------------------------------------------------------

  /**
   * Takes a CESR stream from another member (or a file): KELs and events are validated into our
   * store; multisig `exn` messages are checked and their signatures gathered. Nothing from a
   * refused message is stored. Returns what happened to each message and what to send on.
   */
  async receive(bytes: Uint8Array): Promise<ReceiveReport> {
    await this.expire();
    const items: ReceivedItem[] = [];
    const deliveries: Delivery[] = [];
    const { messages, errors } = parseStream(bytes);
    for (const error of errors) {
      items.push({
        kind: 'refused',
        from: 'unknown',
        code: error.code,
        reason: `Malformed CESR at byte ${error.offset}: ${error.message}`,
      });
    }
    const accepted = new Set<string>();
    for (const message of messages) {
      const ilk = message.body.sad.t;
      if (ilk === 'exn') {
        const result = await this.receiveExchange(message);
        items.push(result.item);
        deliveries.push(...result.deliveries);
        continue;
      }
      const prefix = String(message.body.sad.i ?? '');
      const ours = this.records.groupByPrefix(prefix) !== undefined;
      let counted = message;
      if (ours && isKeyEventIlk(ilk)) {
        const guarded = this.guard.message(message);
        counted = guarded.message;
        if (guarded.refusal) items.push({ kind: 'refused', from: 'unknown', ...guarded.refusal });
      }
      for (const outcome of this.controller.processor.process(counted, { local: ours })) {
        items.push({ kind: 'event', outcome });
        if (outcome.kind === 'accepted') accepted.add(outcome.said);
      }
    }
    await this.controller.processor.flush();
    // Events published by other members complete the proposals they answer.
    for (const said of accepted) {
      const record = this.records.proposal(said);
      if (!record || record.state === 'complete') continue;
      const done = await this.completedIfAccepted(record);
      if (done) await this.saveProposal(done);
    }
    for (const item of items) {
      if (item.kind === 'refused') {
        await this.records.putRejection({
          at: this.now(),
          from: item.from,
          what: 'message',
          reason: item.reason,
          code: item.code,
        });
      }
    }
    return { items, deliveries };
  }

  private async receiveExchange(
    message: Message,
  ): Promise<{ item: ReceivedItem; deliveries: Delivery[] }> {
    const from = String(message.body.sad.i ?? 'unknown');
    const refuse = (code: string, reason: string) => ({
      item: { kind: 'refused', from, code, reason } as const,
      deliveries: [],
    });
    let received: ReceivedExchange;
    try {
      received = readExchange(message, this.crypto.digest);
    } catch (caught) {
      return refuse('bad_message', (caught as Error).message);
    }
    if (!isMultisigRoute(received.route))
      return refuse('bad_message', `Route ${received.route} is not handled here`);
    const [group] = received.senderSignatures;
    if (!group || received.senderSignatures.length !== 1 || group.prefix !== received.sender)
      return refuse('bad_signature', 'The exn is not signed by its sender (one -F group by i)');
    const endorsement = checkEndorsement(this.controller.processor.context, received.raw, group);
    if (!endorsement.valid) return refuse('bad_signature', endorsement.message);
    try {
      return await this.gather(received);
    } catch (caught) {
      if (caught instanceof ControllerError || caught instanceof EventError)
        return refuse(caught.code, caught.message);
      throw caught;
    }
  }

  /** Checks a proposal message and adds its verified signatures to the proposal. */
  private async gather(
    received: ReceivedExchange,
  ): Promise<{ item: ReceivedItem; deliveries: Delivery[] }> {
    const route = received.route as keyof typeof MULTISIG_ROUTES;
    const { label, ilks } = MULTISIG_ROUTES[route];
    const embed = received.embeds.get(label);
    if (!embed) throw new ControllerError('bad_message', `The ${route} exn embeds no '${label}'`);
    const [message] = parseStream(embed.message).messages;
    if (!message) throw new ControllerError('bad_message', 'The embedded event is not a message');
    const event = readKeyEvent(message.body, this.crypto.digest);
    if (!(ilks as readonly string[]).includes(event.ilk))
      throw new ControllerError('bad_message', `A ${route} exn cannot carry a ${event.ilk}`);
    const payload = received.payload;
    if (payload.gid !== event.prefix)
      throw new ControllerError(
        'bad_message',
        `The exn's gid ${String(payload.gid)} is not the event's prefix ${event.prefix}`,
      );
    const group = this.records.groupByPrefix(event.prefix);
    const signingMembers = stringList(payload.smids, 'smids') ?? [];
    const rotationMembers =
      route === '/multisig/ixn'
        ? (group?.rotationMembers ?? [])
        : (stringList(payload.rmids, 'rmids') ?? signingMembers);
    const everyone = new Set([
      ...signingMembers,
      ...rotationMembers,
      ...(group?.signingMembers ?? []),
      ...(group?.rotationMembers ?? []),
    ]);
    if (!everyone.has(received.sender)) {
      throw new ControllerError(
        'not_member',
        `The sender ${received.sender} is not a member of group ${event.prefix}`,
      );
    }
    const own = this.ownPrefixes();
    if (![...everyone].some((member) => own.has(member)))
      throw new ControllerError(
        'not_member',
        `None of our identifiers is a member of group ${event.prefix}`,
      );

    const record = this.records.proposal(event.said);
    if (record?.state === 'expired') {
      throw new ControllerError(
        'expired',
        `Proposal ${event.said} expired at ${new Date(record.expiresAt).toISOString()}; its signatures are no longer taken`,
      );
    }
    if (record?.state === 'complete') {
      return {
        item: {
          kind: 'proposal',
          said: event.said,
          group: event.prefix,
          from: received.sender,
          state: 'complete',
          added: 0,
        },
        deliveries: [],
      };
    }
    // Keys: an inception or rotation must name the members' keys; ixn/rot must follow the group.
    const membership = { signingMembers, rotationMembers };
    if (event.ilk === 'icp' || event.ilk === 'dip')
      checkProposedKeys(event, this.states, membership);
    else {
      this.checkAgainstGroup(event, membership);
      if (event.ilk === 'ixn' && group && signingMembers.join() !== group.signingMembers.join())
        throw new ControllerError(
          'bad_proposal',
          'The interaction names other signing members than the group has',
        );
    }
    const now = this.now();
    const verified = this.verifiedSignatures(event, message);
    const { kept: incoming, dropped } = this.guard.signatures(
      event,
      verified,
      record?.signed === true,
    );
    if (dropped.length > 0)
      await this.records.putRejection({
        at: now,
        from: received.sender,
        what: 'signature',
        ...ownSignatureRefusal(event.said, dropped),
      });
    const expiresAt =
      parseExpiry(payload.expires) ??
      now + (this.options.proposalSeconds ?? DEFAULT_PROPOSAL_SECONDS) * 1000;
    if (!record && expiresAt <= now)
      throw new ControllerError('expired', `Proposal ${event.said} arrived after it expired`);
    const base: ProposalRecord = record ?? {
      said: event.said,
      groupPrefix: event.prefix,
      ilk: event.ilk,
      sn: toHex(event.sn),
      raw: event.raw,
      proposer: received.sender,
      signingMembers,
      rotationMembers,
      ...(typeof payload.delegator === 'string' ? { delegator: payload.delegator } : {}),
      ...(event.ilk === 'icp' || event.ilk === 'dip'
        ? {}
        : { prior: priorKeys(this.states(event.prefix))! }),
      createdAt: now,
      expiresAt,
      signatures: [],
      state: 'invited',
      signed: false,
      updatedAt: now,
    };
    const signatures = mergeSignatures(base.signatures, incoming);
    const added = signatures.length - base.signatures.length;
    let updated: ProposalRecord = { ...base, signatures, updatedAt: now };
    let deliveries: Delivery[] = [];
    const completed = await this.submit(updated, event, group);
    if (completed) {
      updated = completed;
      deliveries = this.publication(completed);
    }
    await this.saveProposal(updated);
    return {
      item: {
        kind: 'proposal',
        said: event.said,
        group: event.prefix,
        from: received.sender,
        state: updated.state,
        added,
      },
      deliveries,
    };
  }

  /**
   * The embedded event's signatures, each verified against the key at its index. One that does
   * not verify means the message signs something else: the whole message is refused.
   */
  private verifiedSignatures(event: KeyEvent, message: Message): IndexedSignature[] {
    const signatures = readAttachments(message.attachments).controllerSignatures;
    if (signatures.length === 0)
      throw new ControllerError('bad_message', 'The proposal carries no signatures');
    const keys = event.ilk === 'ixn' ? (this.states(event.prefix)?.keys ?? []) : event.keys;
    let verified: readonly IndexedSignature[];
    try {
      verified = verifySignatures(this.crypto, event.raw, signatures, keys).signatures;
    } catch (caught) {
      throw new ControllerError('bad_signature', (caught as Error).message);
    }
    if (verified.length !== new Set(signatures.map((s) => s.qb64)).size) {
      throw new ControllerError(
        'bad_proposal',
        `A signature on proposal ${event.said} does not verify against the key at its index: it signs a different event or was made with another key`,
      );
    }
    return [...verified];
  }

  // ---- expiry and status ------------------------------------------------------------------------

  /** Records a proposal, keeping track of the earliest time one may expire. */
  private async saveProposal(record: ProposalRecord): Promise<void> {
    await this.records.putProposal(record);
    if (this.earliestExpiry !== undefined)
      this.earliestExpiry = Math.min(this.earliestExpiry, this.dueAt(record));
  }

  /** When a proposal next needs attention: its expiry while live, else the end of its retention. */
  private dueAt(record: ProposalRecord): number {
    if (isLive(record)) return record.expiresAt;
    const retention = this.options.retentionSeconds ?? DEFAULT_RETENTION_SECONDS;
    return record.updatedAt + retention * 1000;
  }

  /**
   * Marks proposals past their time as expired and drops their partially-signed escrows, and
   * forgets ended (complete or expired) proposals past their retention, so a long-running member
   * does not accumulate every proposal it ever saw. Runs before everything that reads proposals,
   * so it costs nothing until one is due. Returns the SAIDs of the proposals that expired.
   */
  async expire(): Promise<string[]> {
    const now = this.now();
    if (this.earliestExpiry !== undefined && now <= this.earliestExpiry) return [];
    const expired: string[] = [];
    let earliest = Number.POSITIVE_INFINITY;
    for (const record of this.records.allProposals()) {
      if (!isLive(record)) {
        const forgetAt = this.dueAt(record);
        if (now > forgetAt) await this.records.removeProposal(record.said);
        else earliest = Math.min(earliest, forgetAt);
        continue;
      }
      if (now <= record.expiresAt) earliest = Math.min(earliest, record.expiresAt);
      else {
        expired.push(record.said);
        const ended: ProposalRecord = { ...record, state: 'expired', updatedAt: now };
        await this.records.putProposal(ended);
        earliest = Math.min(earliest, this.dueAt(ended));
        this.controller.store.removeEscrow(
          'partially_signed',
          record.groupPrefix,
          parseHexNumber(record.sn),
          record.said,
        );
      }
    }
    this.earliestExpiry = earliest;
    return expired;
  }

  private view(record: ProposalRecord): ProposalView {
    return viewProposal(
      this.crypto,
      record,
      this.eventOf(record),
      (prefix) => this.name(prefix),
      this.now(),
    );
  }

  async proposals(filter: { group?: string } = {}): Promise<ProposalView[]> {
    await this.expire();
    const prefix = filter.group ? this.group(filter.group).prefix : undefined;
    return this.records
      .allProposals()
      .filter((record) => prefix === undefined || record.groupPrefix === prefix)
      .sort((a, b) => b.createdAt - a.createdAt)
      .map((record) => this.view(record));
  }

  async status(alias: string): Promise<GroupStatus> {
    const group = this.group(alias);
    return {
      alias: group.alias,
      prefix: group.prefix,
      member: group.member,
      memberPrefix: group.memberPrefix,
      state: this.states(group.prefix),
      signingMembers: group.signingMembers,
      rotationMembers: group.rotationMembers,
      proposals: await this.proposals({ group: alias }),
    };
  }

  groups(): GroupRecord[] {
    return this.records.allGroups();
  }
}

/** A group's keys and thresholds now, kept with a proposal so its progress can be told later. */
function priorKeys(state: KeyState | undefined): PriorKeys | undefined {
  if (!state) return undefined;
  return {
    keys: [...state.keys],
    signingThreshold: thresholdToSith(state.signingThreshold),
    nextKeyDigests: [...state.nextKeyDigests],
    nextThreshold: thresholdToSith(state.nextThreshold),
  };
}

function isLive(record: ProposalRecord): boolean {
  return record.state === 'pending' || record.state === 'invited';
}

function mergeSignatures(
  existing: readonly string[],
  added: readonly IndexedSignature[],
): string[] {
  const all = new Set(existing);
  for (const signature of added) all.add(signature.qb64);
  return [...all];
}

function stringList(value: unknown, label: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string'))
    throw new ControllerError('bad_message', `The exn's ${label} is not a list of prefixes`);
  return value as string[];
}

function parseExpiry(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : time;
}
