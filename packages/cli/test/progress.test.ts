/**
 * Progress of slow work on stderr: a start and an end line when stderr is not a terminal, a
 * redrawn line when it is, and nothing for work too quick to mention.
 */
import type { SlowWork } from '@kestrel/keystore';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { describeWork, stderrProgress } from '../src/progress.js';

function recorder(isTTY: boolean) {
  const written: string[] = [];
  return { written, stream: { isTTY, write: (text: string) => written.push(text) } };
}

/** A clock the test moves by hand, in milliseconds. */
function manualClock() {
  let now = 1_000;
  return {
    now: () => now,
    advance(milliseconds: number) {
      now += milliseconds;
    },
  };
}

const HIGH_PASSCODE: SlowWork = { kind: 'passcode', tier: 'high' };

describe('describeWork', () => {
  it('names the work, its tier and an estimate; token generation always', () => {
    expect(describeWork(HIGH_PASSCODE)).toBe(
      'Stretching the passcode (argon2id, high tier, about 3 s)',
    );
    expect(describeWork({ kind: 'derive', tier: 'med', count: 4 })).toBe(
      'Deriving 4 keys from the salt (argon2id, med tier, about 2 s)',
    );
    expect(describeWork({ kind: 'derive', tier: 'high', count: 1 })).toBe(
      'Deriving 1 key from the salt (argon2id, high tier, about 3 s)',
    );
    expect(describeWork({ kind: 'generate', tokenLabel: 'vault', count: 1 })).toBe(
      "Generating 1 key pair in token 'vault'",
    );
  });

  it('says nothing of the quick tiers', () => {
    for (const tier of ['temp', 'low'] as const) {
      expect(describeWork({ kind: 'passcode', tier })).toBeUndefined();
      expect(describeWork({ kind: 'derive', tier, count: 10 })).toBeUndefined();
    }
  });
});

describe('stderrProgress', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes one line at the start and one at the end, with the elapsed time, off a terminal', () => {
    const { written, stream } = recorder(false);
    const clock = manualClock();
    const end = stderrProgress(stream, clock).begin(HIGH_PASSCODE);
    expect(written).toEqual(['Stretching the passcode (argon2id, high tier, about 3 s)...\n']);
    clock.advance(2_345);
    end('done');
    expect(written[1]).toBe(
      'Stretching the passcode (argon2id, high tier, about 3 s): done in 2.3 s\n',
    );
    expect(written).toHaveLength(2);
  });

  it('says when the work failed', () => {
    const { written, stream } = recorder(false);
    const clock = manualClock();
    const end = stderrProgress(stream, clock).begin({
      kind: 'generate',
      tokenLabel: 'vault',
      count: 2,
    });
    clock.advance(100);
    end('failed');
    expect(written[1]).toBe("Generating 2 key pairs in token 'vault': failed after 0.1 s\n");
  });

  it('writes nothing for quick work', () => {
    const { written, stream } = recorder(false);
    stderrProgress(stream).begin({ kind: 'derive', tier: 'low', count: 3 })('done');
    expect(written).toEqual([]);
  });

  it('redraws one line with a spinner and the seconds on a terminal, then ends it', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const { written, stream } = recorder(true);
    const clock = manualClock();
    const end = stderrProgress(stream, clock).begin(HIGH_PASSCODE);
    expect(written).toEqual([
      '\r\x1b[2K⠋ Stretching the passcode (argon2id, high tier, about 3 s)... 0.0 s',
    ]);
    clock.advance(1_200);
    vi.advanceTimersByTime(100);
    expect(written[1]).toBe(
      '\r\x1b[2K⠙ Stretching the passcode (argon2id, high tier, about 3 s)... 1.2 s',
    );
    clock.advance(1_000);
    end('done');
    expect(written.at(-1)).toBe(
      '\r\x1b[2KStretching the passcode (argon2id, high tier, about 3 s): done in 2.2 s\n',
    );
    // Stopped: no redraw after the end.
    const count = written.length;
    vi.advanceTimersByTime(1_000);
    expect(written).toHaveLength(count);
    // No line feed before the end: the terminal shows one line, redrawn in place.
    expect(written.slice(0, -1).join('')).not.toContain('\n');
  });
});
