/**
 * @module commands/multisig-policy
 * `keri multisig policy`: continuity analysis of a group's thresholds (see @kestrel/core's
 * threshold/continuity). The thresholds come from a PolicySource, so the live-group form
 * (`--alias`) only has to supply another source; the options here are the same for both.
 *
 * Input that cannot describe a group (malformed threshold, kt needing more keys than members,
 * witnesses too few for the faults, more than 24 members) is a usage error, exit 2: the command
 * has no answer to give, and printing a partial or null result would let a script miss that.
 */
import {
  continuityPolicy,
  continuityPolicyJson,
  DEFAULT_MAX_SETS,
  ThresholdError,
} from '@kestrel/core';
import { type Command, flag, UsageError } from '../command.js';
import { integerOption } from '../controller-options.js';
import { formatJson } from '../io.js';
import {
  type PolicySource,
  thresholdsFromGroupOrOptions,
  thresholdsFromOptions,
} from './policy-source.js';
import { policyText } from './policy-text.js';

/** Sets listed per list in the human output: enough to see the pattern, short enough to read. */
const HUMAN_MAX_SETS = 20;

const SHARED_USAGE = `  --faults F          faulty witnesses to tolerate (default: the most N can, floor((N-1)/3));
                      N < 3F+1 has no safe threshold and is a usage error
  --escrow-agent I    member I holds keys in escrow: can it sign or rotate alone, with whom,
                      and can the others act without it
  --max-sets N        list at most N sets per list (default ${HUMAN_MAX_SETS}, ${DEFAULT_MAX_SETS} with --json); counts
                      and tolerances are always exact
  --json              print {"current":{"minimalSets":[[0,1],...],"tolerates":k},"next":{...},
                      "witnessThreshold":{"min":m,"max":m}}: "next" with --nt, "witnessThreshold"
                      with --witnesses; sets sorted by size, then lexicographically; tolerates is
                      -1 when no set can act. Only when needed: "truncated":true and
                      "minimalSetCount":N after tolerates when the list was cut, and
                      "escrowAgent":{"member","alone","partners","withoutAgent"} with --escrow-agent`;

/** `keri multisig policy` reading its thresholds from `source`. */
export function multisigPolicyCommand(source: PolicySource = thresholdsFromOptions): Command {
  return {
    path: ['multisig', 'policy'],
    summary: 'who can sign and rotate under a group threshold, and which losses block it',
    usage: `Usage: keri multisig policy --kt T [--nt T] [--members N] [--next-members N]
         [--witnesses N [--faults F]] [--escrow-agent I] [--max-sets N] [--json]
       keri multisig policy --name NAME --alias GROUP [--faults F] [--escrow-agent I] [--json]

Continuity analysis of multisig thresholds: the minimal sets of members that can sign (kt) and
rotate (nt); the largest k such that losing ANY k members still leaves a set that can act, and a
loss of k+1 that blocks it; what an escrow agent can do alone or with whom; and the safe witness
thresholds m for N witnesses tolerating F faulty ones, (N+F+1)/2 <= m <= N-F. Members are
indices into the key list k (for kt) and the next key digest list n (for nt). Every subset of
members is tested, so a threshold may have at most 24 members.
${source.usage}
${SHARED_USAGE}`,
    examples: [
      'keri multisig policy --kt 2 --members 3 --nt 2',
      `keri multisig policy --kt '["1/3","1/3","1/3","1/3"]' --nt '["1/3","1/3","1/3","1/3"]' --escrow-agent 3`,
      `keri multisig policy --kt '["1/2","1/4","1/4"]' --witnesses 7 --faults 2 --json`,
      'keri multisig policy --name alice --alias board --escrow-agent 3',
    ],
    options: {
      ...source.options,
      faults: { type: 'string' },
      'escrow-agent': { type: 'string' },
      'max-sets': { type: 'string' },
      json: { type: 'boolean' },
    },
    async run(args, io) {
      const thresholds = await source.read(args, io);
      const json = flag(args, 'json');
      const faults = integerOption(args, 'faults');
      const escrowAgent = integerOption(args, 'escrow-agent');
      const maxSets = integerOption(args, 'max-sets') ?? (json ? DEFAULT_MAX_SETS : HUMAN_MAX_SETS);
      if (maxSets < 1) throw new UsageError('--max-sets must be at least 1');
      if (faults !== undefined && thresholds.witnesses === undefined)
        throw new UsageError('--faults needs --witnesses');
      let policy: ReturnType<typeof continuityPolicy>;
      try {
        policy = continuityPolicy({
          ...thresholds,
          ...(faults !== undefined ? { faults } : {}),
          ...(escrowAgent !== undefined ? { escrowAgent } : {}),
          maxSets,
        });
      } catch (caught) {
        if (caught instanceof ThresholdError) throw new UsageError(caught.message);
        throw caught;
      }
      io.stdout.write(
        json ? formatJson(continuityPolicyJson(policy)) : policyText(policy, escrowAgent),
      );
      return 0;
    },
  };
}

export const multisigPolicy = multisigPolicyCommand(thresholdsFromGroupOrOptions);
