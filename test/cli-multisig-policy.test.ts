/**
 * `keri multisig policy` through the `keri` binary: the `--json` contract that outside checks
 * read, the sentences of the human output, and usage errors (exit 2) for input with no answer.
 */
import { describe, expect, it } from 'vitest';
import { keri } from './support/keri.js';

const policy = (args: string[]) => keri(['multisig', 'policy', ...args]);

async function policyJson(args: string[]): Promise<Record<string, unknown>> {
  const { stdout, stderr, code } = await policy([...args, '--json']);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  expect(stdout.endsWith('\n')).toBe(true);
  return JSON.parse(stdout);
}

const THIRDS = '["1/3","1/3","1/3","1/3"]';

describe('keri multisig policy --json', () => {
  it('weights 1/2,1/4,1/4', async () => {
    expect(await policyJson(['--kt', '["1/2","1/4","1/4"]'])).toEqual({
      current: { minimalSets: [[0, 1, 2]], tolerates: 0 },
    });
  });

  it('3 of 5, nt 2, 7 witnesses tolerating 2: every key in contract order', async () => {
    const { stdout } = await policy([
      '--kt',
      '3',
      '--members',
      '5',
      '--nt',
      '2',
      '--witnesses',
      '7',
      '--faults',
      '2',
      '--json',
    ]);
    expect(stdout).toBe(
      `${JSON.stringify({
        current: {
          minimalSets: [
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
          ],
          tolerates: 2,
        },
        next: {
          minimalSets: [
            [0, 1],
            [0, 2],
            [0, 3],
            [0, 4],
            [1, 2],
            [1, 3],
            [1, 4],
            [2, 3],
            [2, 4],
            [3, 4],
          ],
          tolerates: 3,
        },
        witnessThreshold: { min: 5, max: 5 },
      })}\n`,
    );
  });

  it('multi-clause kt', async () => {
    expect(await policyJson(['--kt', '[["1/2","1/2","1/2"],["1","1"]]'])).toEqual({
      current: {
        minimalSets: [
          [0, 1, 3],
          [0, 1, 4],
          [0, 2, 3],
          [0, 2, 4],
          [1, 2, 3],
          [1, 2, 4],
        ],
        tolerates: 1,
      },
    });
  });

  it('an escrow agent with three primaries, all of weight 1/3', async () => {
    const parsed = await policyJson(['--kt', THIRDS, '--nt', THIRDS, '--escrow-agent', '3']);
    const side = {
      minimalSets: [
        [0, 1, 2],
        [0, 1, 3],
        [0, 2, 3],
        [1, 2, 3],
      ],
      tolerates: 1,
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
    expect(parsed).toEqual({ current: side, next: side });
  });

  it('the witness range with default faults, and with none', async () => {
    expect(await policyJson(['--kt', '1', '--members', '1', '--witnesses', '6'])).toMatchObject({
      witnessThreshold: { min: 4, max: 5 }, // f = 1: ceil(8/2) = 4 <= m <= 5
    });
    expect(await policyJson(['--kt', '1', '--members', '1', '--witnesses', '0'])).toMatchObject({
      witnessThreshold: { min: 0, max: 0 },
    });
  });

  it('nt 0: nobody can rotate, tolerates -1', async () => {
    expect(await policyJson(['--kt', '1', '--members', '2', '--nt', '0'])).toEqual({
      current: { minimalSets: [[0], [1]], tolerates: 1 },
      next: { minimalSets: [], tolerates: -1 },
    });
  });

  it('says when a list was cut', async () => {
    const parsed = await policyJson(['--kt', '2', '--members', '4', '--max-sets', '2']);
    expect(parsed).toEqual({
      current: {
        minimalSets: [
          [0, 1],
          [0, 2],
        ],
        tolerates: 2,
        truncated: true,
        minimalSetCount: 6,
      },
    });
  });
});

describe('keri multisig policy (human output)', () => {
  it('states who can sign and rotate, the losses, the escrow agent and the witnesses', async () => {
    const { stdout, code } = await policy([
      '--kt',
      THIRDS,
      '--nt',
      THIRDS,
      '--escrow-agent',
      '3',
      '--witnesses',
      '7',
      '--faults',
      '2',
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain('Can sign (4 minimal sets): {0,1,2} {0,1,3} {0,2,3} {1,2,3}');
    expect(stdout).toContain('Can rotate (4 minimal sets): {0,1,2} {0,1,3} {0,2,3} {1,2,3}');
    expect(stdout).toContain(
      'Losing any 1 member still leaves a set that can sign; losing these 2 blocks signing: {0,1} (one of 6 such sets).',
    );
    expect(stdout).toContain(
      'Escrow agent (member 3) cannot sign alone; it can together with {0,1} or {0,2} or {1,2}; the other members can sign without it.',
    );
    expect(stdout).toContain('Escrow agent (member 3) cannot rotate alone;');
    expect(stdout).toContain(
      'Witnesses: 7 tolerating 2 faulty ones: the safe witness threshold (bt) is 5',
    );
  });

  it('names an essential member and an agent that acts alone', async () => {
    const essential = await policy(['--kt', '["1/2",{"1/2":["1","1"]}]']);
    expect(essential.stdout).toContain(
      'Losing a single member can block signing: member 0 is in every set that can sign.',
    );
    const alone = await policy(['--kt', '["1",{"1":["1/2","1/2","1/2"]}]', '--escrow-agent', '0']);
    expect(alone.stdout).toContain('Escrow agent (member 0) can sign alone;');
  });

  it('lists at most 20 sets unless told, and says how many were left out', async () => {
    const { stdout } = await policy(['--kt', '3', '--members', '8']);
    expect(stdout).toContain('Can sign (56 minimal sets):');
    expect(stdout).toContain('... and 36 more');
  });

  it('--help has an example', async () => {
    const { stdout, code } = await policy(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Examples:');
    expect(stdout).toContain('keri multisig policy --kt');
    expect((await keri(['--help'])).stdout).toContain('multisig policy');
  });
});

describe('keri multisig policy usage errors (exit 2)', () => {
  it.each([
    [['--kt', '["1/2","1/2"'], '--kt is not valid JSON'],
    [['--kt', '["0.5","1/2"]'], '--kt: Invalid threshold weight "0.5"'],
    [['--kt', '["1/2","1/4"]'], 'they must add up to at least 1'],
    [['--kt', '2'], 'an integer --kt needs --members N'],
    [['--nt', '2'], '--kt is required'],
    [['--kt', '4', '--members', '3'], 'needs 4 keys, but 3 are listed'],
    [['--kt', '0', '--members', '3'], 'must be at least 1'],
    [['--kt', '1', '--members', '25'], 'at most 24'],
    [['--kt', '["1"]', '--witnesses', '4', '--faults', '2'], 'needs at least 7 witnesses'],
    [['--kt', '["1"]', '--faults', '1'], '--faults needs --witnesses'],
    [['--kt', '["1"]', '--escrow-agent', '1'], 'Escrow agent 1 is not a member'],
    [['--kt', '["1"]', '--max-sets', '0'], '--max-sets must be at least 1'],
    [['--kt', '["1"]', '--members', 'three'], '--members must be a whole number'],
    [['--kt', '["1"]', '--alias', 'group'], '--kt and --alias exclude each other'],
    [['--alias', 'group'], '--alias needs --name'],
  ])('%j', async (args, message) => {
    const { code, stdout, stderr } = await policy([...args, '--json']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(message);
  });
});
