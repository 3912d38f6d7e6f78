/**
 * @module records/controller-records
 * What a controller keeps besides keys and KELs: the groups it is a member of, the group proposals
 * it has seen with the signatures gathered so far, where its peers can be reached, and the
 * messages it refused (so `status` can say why). LMDB on disk next to the keystore, files 0600.
 * Nothing secret lives here.
 */
import { openPrivateLmdb } from '@kestrel/keystore';
import type { Database, RootDatabase } from 'lmdb';
import type { EndpointRecord, GroupRecord, ProposalRecord, RejectionRecord } from './records.js';

const MAX_REJECTIONS = 200;

export class ControllerRecords {
  private constructor(
    private readonly root: RootDatabase,
    private readonly groups: Database<GroupRecord, string>,
    private readonly proposals: Database<ProposalRecord, string>,
    private readonly endpoints: Database<EndpointRecord, string>,
    private readonly rejections: Database<RejectionRecord, string>,
  ) {}

  static open(path: string): ControllerRecords {
    const root = openPrivateLmdb(path);
    return new ControllerRecords(
      root,
      root.openDB({ name: 'groups', encoding: 'msgpack' }),
      root.openDB({ name: 'proposals', encoding: 'msgpack' }),
      root.openDB({ name: 'endpoints', encoding: 'msgpack' }),
      root.openDB({ name: 'rejections', encoding: 'msgpack' }),
    );
  }

  group(alias: string): GroupRecord | undefined {
    return this.groups.get(alias);
  }

  groupByPrefix(prefix: string): GroupRecord | undefined {
    for (const { value } of this.groups.getRange()) if (value.prefix === prefix) return value;
    return undefined;
  }

  allGroups(): GroupRecord[] {
    return [...this.groups.getRange()].map(({ value }) => value);
  }

  async putGroup(record: GroupRecord): Promise<void> {
    await this.groups.put(record.alias, record);
  }

  proposal(said: string): ProposalRecord | undefined {
    return this.proposals.get(said);
  }

  allProposals(): ProposalRecord[] {
    return [...this.proposals.getRange()].map(({ value }) => value);
  }

  async putProposal(record: ProposalRecord): Promise<void> {
    await this.proposals.put(record.said, record);
  }

  async removeProposal(said: string): Promise<void> {
    await this.proposals.remove(said);
  }

  endpoint(prefix: string): EndpointRecord | undefined {
    return this.endpoints.get(prefix);
  }

  allEndpoints(): EndpointRecord[] {
    return [...this.endpoints.getRange()].map(({ value }) => value);
  }

  async putEndpoint(record: EndpointRecord): Promise<void> {
    await this.endpoints.put(record.prefix, record);
  }

  /** The latest refusals, newest first. */
  recentRejections(limit = 20): RejectionRecord[] {
    return [...this.rejections.getRange({ reverse: true, limit })].map(({ value }) => value);
  }

  async putRejection(record: RejectionRecord): Promise<void> {
    // Keys sort by time; the oldest beyond the cap go, so a flood of garbage cannot fill the disk.
    const key = `${record.at.toString().padStart(15, '0')}.${Math.random().toString(36).slice(2, 8)}`;
    await this.root.transaction(() => {
      this.rejections.put(key, record);
      let count = 0;
      for (const { key: old } of this.rejections.getRange({ reverse: true })) {
        if (++count > MAX_REJECTIONS) this.rejections.remove(old);
      }
    });
  }

  async close(): Promise<void> {
    await this.root.close();
  }
}
