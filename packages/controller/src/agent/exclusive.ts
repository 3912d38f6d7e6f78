/**
 * @module agent/exclusive
 * One thing at a time: the agent's controller is used by incoming messages and by hosted commands,
 * and its processor and stores expect a single writer.
 */
export class Exclusive {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(body: () => Promise<T>): Promise<T> {
    const result = this.tail.then(body, body);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
