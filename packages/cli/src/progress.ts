/**
 * @module progress
 * Slow work shown on stderr, never on stdout (which may carry --json). For a person at a terminal
 * a live line with a spinner and the seconds elapsed; for a log or a pipe one line when the work
 * starts and one when it ends, with the time it took. Stretches at the low and temp tiers take
 * a tenth of a second or less and are not shown.
 */
import type { ProgressReporter, SlowWork } from '@kestrel/keystore';
import type { CommandIo } from './io.js';

/** Seconds of one argon2id stretch per tier (keripy's limits; measured on a 2024 laptop core). */
const SECONDS_PER_STRETCH = { temp: 0, low: 0.1, med: 0.5, high: 2.5 } as const;

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const REDRAW_MILLISECONDS = 100;

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** What a person reads about `work`, or undefined when it is too quick to mention. */
export function describeWork(work: SlowWork): string | undefined {
  if (work.kind === 'generate')
    return `Generating ${plural(work.count, 'key pair')} in token '${work.tokenLabel}'`;
  if (work.tier !== 'med' && work.tier !== 'high') return undefined;
  const stretches = work.kind === 'passcode' ? 1 : work.count;
  const about = Math.max(1, Math.round(stretches * SECONDS_PER_STRETCH[work.tier]));
  const how = `argon2id, ${work.tier} tier, about ${about} s`;
  return work.kind === 'passcode'
    ? `Stretching the passcode (${how})`
    : `Deriving ${plural(work.count, 'key')} from the salt (${how})`;
}

export interface ProgressClock {
  /** Milliseconds, monotonic. */
  now(): number;
}

/** Reports slow work on `stderr`: a redrawn line on a terminal, a start and an end line otherwise. */
export function stderrProgress(
  stderr: CommandIo['stderr'],
  clock: ProgressClock = performance,
): ProgressReporter {
  return {
    begin(work) {
      const description = describeWork(work);
      if (description === undefined) return () => {};
      const started = clock.now();
      const seconds = () => ((clock.now() - started) / 1000).toFixed(1);
      if (!stderr.isTTY) {
        stderr.write(`${description}...\n`);
        return (outcome) => {
          stderr.write(`${description}: ${ended(outcome)} ${seconds()} s\n`);
        };
      }
      let frame = 0;
      const draw = () => {
        const spinner = SPINNER[frame++ % SPINNER.length];
        stderr.write(`\r\x1b[2K${spinner} ${description}... ${seconds()} s`);
      };
      draw();
      const timer = setInterval(draw, REDRAW_MILLISECONDS);
      // The work itself keeps the process alive; a forgotten line must not.
      timer.unref();
      return (outcome) => {
        clearInterval(timer);
        stderr.write(`\r\x1b[2K${description}: ${ended(outcome)} ${seconds()} s\n`);
      };
    },
  };
}

function ended(outcome: 'done' | 'failed'): string {
  return outcome === 'done' ? 'done in' : 'failed after';
}
