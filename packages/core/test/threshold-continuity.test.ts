/**
 * The continuity analysis (`continuityPolicy`) and its JSON contract (`continuityPolicyJson`):
 * worked examples, the member-count rules, what is refused, and truncation of huge lists.
 * Expected sets are worked out by hand from the weights.
 */
import { describe, expect, it } from 'vitest';
import { ThresholdError } from '../src/errors.js';
import {
  type ContinuityOptions,
  continuityPolicy,
  continuityPolicyJson,
  DEFAULT_MAX_SETS,
  parseThreshold,
  witnessThresholdPolicy,
} from '../src/threshold/index.js';

const json = (options: ContinuityOptions) =>
  JSON.stringify(continuityPolicyJson(continuityPolicy(options)));

const ALL_TRIPLES_OF_FIVE = [
  [0, 1, 2],
  [0, 1, 3],
  [0, 1, 4],
  [0, 2, 3],
  [0, 2, 4],
  [0, 3, 4],
  [1, 2, 3],
  [1, 2, 4],
  [1, 3, 4],
  [2, 3, 4],
];

describe('continuityPolicyJson: the contract shape', () => {
  it('weights 1/2,1/4,1/4: only all three together, no loss tolerated', () => {
    expect(json({ signingThreshold: parseThreshold(['1/2', '1/4', '1/4']) })).toBe(
      '{"current":{"minimalSets":[[0,1,2]],"tolerates":0}}',
    );
  });

  it('3 of 5 with nt 2 and 7 witnesses tolerating 2: keys in contract order', () => {
    const policy = continuityPolicyJson(
      continuityPolicy({
        signingThreshold: parseThreshold(3),
        memberCount: 5,
        nextThreshold: parseThreshold(2),
        witnesses: 7,
        faults: 2,
      }),
    );
    expect(Object.keys(policy)).toEqual(['current', 'next', 'witnessThreshold']);
    expect(Object.keys(policy.current)).toEqual(['minimalSets', 'tolerates']);
    expect(policy.current).toEqual({ minimalSets: ALL_TRIPLES_OF_FIVE, tolerates: 2 });
    // nt 2 over the same 5 members: every pair, and any 3 may be lost.
    expect(policy.next?.minimalSets).toHaveLength(10);
    expect(policy.next?.minimalSets[0]).toEqual([0, 1]);
    expect(policy.next?.tolerates).toBe(3);
    // ceil((7 + 2 + 1) / 2) = 5 <= m <= 7 - 2 = 5
    expect(policy.witnessThreshold).toEqual({ min: 5, max: 5 });
  });

  it('multi-clause [["1/2","1/2","1/2"],["1","1"]]: two of the first three and one of the last two', () => {
    expect(
      json({
        signingThreshold: parseThreshold([
          ['1/2', '1/2', '1/2'],
          ['1', '1'],
        ]),
      }),
    ).toBe(
      '{"current":{"minimalSets":[[0,1,3],[0,1,4],[0,2,3],[0,2,4],[1,2,3],[1,2,4]],"tolerates":1}}',
    );
  });

  it('escrow agent: primaries 1/3,1/3,1/3 and agent 1/3 (member 3)', () => {
    const thirds = parseThreshold(['1/3', '1/3', '1/3', '1/3']);
    const side = {
      minimalSets: [
        [0, 1, 2],
        [0, 1, 3],
        [0, 2, 3],
        [1, 2, 3],
      ],
      tolerates: 1,
      // Never alone; with any two primaries; the three primaries need it not.
      escrowAgent: {
        member: 3,
        alone: false,
        partners: [
          [0, 1],
          [0, 2],
          [1, 2],
        ],
        withoutAgent: true,
      },
    };
    expect(
      continuityPolicyJson(
        continuityPolicy({ signingThreshold: thirds, nextThreshold: thirds, escrowAgent: 3 }),
      ),
    ).toEqual({ current: side, next: side });
  });

  it('escrow agent who can act alone: the owner 1, or two of three agents', () => {
    const policy = continuityPolicy({
      signingThreshold: parseThreshold(['1', { '1': ['1/2', '1/2', '1/2'] }]),
      escrowAgent: 0,
    });
    expect(policy.current.escrowAgent).toEqual({
      member: 0,
      alone: true,
      partners: [[]],
      partnerSetCount: 1,
      withoutAgent: true,
    });
    expect(policy.current.minimalSets).toEqual([[0], [1, 2], [1, 3], [2, 3]]);
    expect(policy.current.tolerates).toBe(2);
  });

  it('nt 0 (no further rotation): no set can rotate, tolerates -1', () => {
    expect(
      json({
        signingThreshold: parseThreshold(1),
        memberCount: 2,
        nextThreshold: parseThreshold(0),
      }),
    ).toBe(
      '{"current":{"minimalSets":[[0],[1]],"tolerates":1},"next":{"minimalSets":[],"tolerates":-1}}',
    );
  });

  it('no witnesses: the witness threshold is 0', () => {
    expect(json({ signingThreshold: parseThreshold(['1']), witnesses: 0 })).toBe(
      '{"current":{"minimalSets":[[0]],"tolerates":0},"witnessThreshold":{"min":0,"max":0}}',
    );
  });
});

describe('continuityPolicy: the richer fields', () => {
  it('smallest blocking losses of 3 of 5: any three members', () => {
    const policy = continuityPolicy({ signingThreshold: parseThreshold(3), memberCount: 5 });
    expect(policy.current.smallestBlockingSets).toEqual(ALL_TRIPLES_OF_FIVE);
    expect(policy.current.smallestBlockingSetCount).toBe(10);
    expect(policy.current.minimalSetCount).toBe(10);
  });

  it('an essential member: weights 1/2 + nested 1/2(1,1) can lose neither member 0 nor both others', () => {
    const policy = continuityPolicy({
      signingThreshold: parseThreshold(['1/2', { '1/2': ['1', '1'] }]),
    });
    expect(policy.current.minimalSets).toEqual([
      [0, 1],
      [0, 2],
    ]);
    expect(policy.current.tolerates).toBe(0);
    expect(policy.current.smallestBlockingSets).toEqual([[0]]);
  });

  it('a threshold that cannot be met is blocked by losing nobody', () => {
    const policy = continuityPolicy({
      signingThreshold: parseThreshold(1),
      memberCount: 1,
      nextThreshold: parseThreshold(0),
      escrowAgent: 0,
    });
    expect(policy.next?.smallestBlockingSets).toEqual([[]]);
    expect(policy.next?.escrowAgent).toEqual({
      member: 0,
      alone: false,
      partners: [],
      partnerSetCount: 0,
      withoutAgent: false,
    });
  });

  it('the witness pool: default faults are the most n tolerates', () => {
    expect(
      continuityPolicy({ signingThreshold: parseThreshold(['1']), witnesses: 10 }).witnessThreshold,
    ).toEqual({ witnesses: 10, faults: 3, min: 7, max: 7 });
    expect(
      continuityPolicy({ signingThreshold: parseThreshold(['1']), witnesses: 12, faults: 0 })
        .witnessThreshold,
    ).toEqual({ witnesses: 12, faults: 0, min: 7, max: 12 });
  });
});

describe('member counts', () => {
  it('a weighted kt counts its weights; --members may add members that never help', () => {
    const policy = continuityPolicy({
      signingThreshold: parseThreshold(['1/2', '1/2']),
      memberCount: 3,
      escrowAgent: 2,
    });
    expect(policy.current.memberCount).toBe(3);
    expect(policy.current.minimalSets).toEqual([[0, 1]]);
    expect(policy.current.escrowAgent).toMatchObject({
      alone: false,
      partners: [],
      withoutAgent: true,
    });
  });

  it('an integer nt counts the members of kt unless told otherwise', () => {
    const weighted = parseThreshold(['1/2', '1/2', '1/2']);
    expect(
      continuityPolicy({ signingThreshold: weighted, nextThreshold: parseThreshold(2) }).next
        ?.memberCount,
    ).toBe(3);
    expect(
      continuityPolicy({
        signingThreshold: weighted,
        nextThreshold: parseThreshold(2),
        nextMemberCount: 4,
      }).next?.memberCount,
    ).toBe(4);
    expect(
      continuityPolicy({
        signingThreshold: parseThreshold(2),
        memberCount: 3,
        nextThreshold: parseThreshold(['1/4', '1/4', '1/4', '1/4']),
        nextMemberCount: 4,
      }).next?.minimalSets,
    ).toEqual([[0, 1, 2, 3]]);
  });

  it('a weighted nt counts its own weights when no count is given', () => {
    const policy = continuityPolicy({
      signingThreshold: parseThreshold(['1/2', '1/2']),
      nextThreshold: parseThreshold(['1/3', '1/3', '1/3']),
    });
    expect(policy.next?.memberCount).toBe(3);
  });

  it('an escrow agent on one side only is reported on that side', () => {
    const policy = continuityPolicy({
      signingThreshold: parseThreshold(['1/2', '1/2']),
      nextThreshold: parseThreshold(['1/3', '1/3', '1/3']),
      escrowAgent: 2,
    });
    expect(policy.current.escrowAgent).toBeUndefined();
    expect(policy.next?.escrowAgent?.partners).toEqual([[0, 1]]);
  });
});

describe('refused input (ThresholdError)', () => {
  const refuses = (options: ContinuityOptions, message: RegExp) => {
    expect(() => continuityPolicy(options)).toThrow(ThresholdError);
    expect(() => continuityPolicy(options)).toThrow(message);
  };

  it('an integer kt without a member count', () => {
    refuses({ signingThreshold: parseThreshold(2) }, /needs a member count/);
  });

  it('thresholds needing more keys than there are members, and kt 0', () => {
    refuses({ signingThreshold: parseThreshold(4), memberCount: 3 }, /needs 4 keys, but 3/);
    refuses({ signingThreshold: parseThreshold(['1/2', '1/2']), memberCount: 1 }, /needs 2 keys/);
    refuses({ signingThreshold: parseThreshold(0), memberCount: 3 }, /at least 1/);
    refuses(
      { signingThreshold: parseThreshold(1), memberCount: 2, nextThreshold: parseThreshold(3) },
      /needs 3 next key digests, but 2/,
    );
  });

  it('more than 24 members', () => {
    refuses({ signingThreshold: parseThreshold(1), memberCount: 25 }, /at most 24/);
  });

  it('an escrow agent that is a member on neither side', () => {
    refuses(
      { signingThreshold: parseThreshold(['1/2', '1/2']), escrowAgent: 2 },
      /Escrow agent 2 is not a member: members are numbered from 0 to 1/,
    );
  });

  it('witnesses too few for the faults, and faults without witnesses', () => {
    // 4 witnesses, 2 faulty: ceil(7/2) = 4 > 4 - 2 = 2, no safe m.
    refuses(
      { signingThreshold: parseThreshold(['1']), witnesses: 4, faults: 2 },
      /needs at least 7 witnesses \(n >= 3f \+ 1\), and 4 tolerate at most 1/,
    );
    refuses({ signingThreshold: parseThreshold(['1']), witnesses: 0, faults: 1 }, /at least 4/);
    refuses({ signingThreshold: parseThreshold(['1']), faults: 1 }, /needs a witness count/);
  });

  it('counts that are not whole numbers', () => {
    refuses({ signingThreshold: parseThreshold(['1']), maxSets: 0 }, /maxSets/);
    refuses({ signingThreshold: parseThreshold(1), memberCount: 1.5 }, /memberCount/);
    refuses({ signingThreshold: parseThreshold(['1']), escrowAgent: -1 }, /escrowAgent/);
    expect(() => witnessThresholdPolicy(-1)).toThrow(ThresholdError);
    expect(() => witnessThresholdPolicy(4, 0.5)).toThrow(ThresholdError);
  });
});

describe('huge lists are cut, counts stay exact', () => {
  // 20 members of weight 1/10: any 10 sign, so C(20,10) = 184,756 minimal sets; losing 11
  // blocks, C(20,11) = 167,960 ways.
  const tenths = parseThreshold(Array.from({ length: 20 }, () => '1/10'));

  it(`keeps the first ${DEFAULT_MAX_SETS} sets by default and says so in the JSON`, () => {
    const policy = continuityPolicy({ signingThreshold: tenths, escrowAgent: 19 });
    expect(policy.current.minimalSets).toHaveLength(DEFAULT_MAX_SETS);
    expect(policy.current.minimalSetCount).toBe(184_756);
    expect(policy.current.tolerates).toBe(10);
    expect(policy.current.smallestBlockingSetCount).toBe(167_960);
    expect(policy.current.minimalSets[0]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const side = continuityPolicyJson(policy).current;
    expect(Object.keys(side)).toEqual([
      'minimalSets',
      'tolerates',
      'truncated',
      'minimalSetCount',
      'escrowAgent',
    ]);
    expect(side.truncated).toBe(true);
    // The agent is in C(19,9) = 92,378 of the minimal sets.
    expect(side.escrowAgent).toMatchObject({ partnersTruncated: true, partnerSetCount: 92_378 });
    expect(side.escrowAgent?.partners[0]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('keeps as many as asked', () => {
    const side = continuityPolicyJson(
      continuityPolicy({ signingThreshold: tenths, maxSets: 2 }),
    ).current;
    expect(side.minimalSets).toEqual([
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 10],
    ]);
    expect(side).toMatchObject({ truncated: true, minimalSetCount: 184_756 });
  });

  it('does not mark a list that fits exactly', () => {
    const side = continuityPolicyJson(
      continuityPolicy({ signingThreshold: parseThreshold(2), memberCount: 3, maxSets: 3 }),
    ).current;
    expect(side).toEqual({
      minimalSets: [
        [0, 1],
        [0, 2],
        [1, 2],
      ],
      tolerates: 1,
    });
  });
});
