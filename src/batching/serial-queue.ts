/**
 * Runs steps one at a time, in the order they were submitted; a step that fails does not stop the
 * ones after it. What the fsync'd journals and the spool need so that file order is the order of
 * effects and acknowledgements.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(step: () => Promise<T>): Promise<T> {
    const result = this.tail.then(step);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves once every step submitted so far has settled. */
  async idle(): Promise<void> {
    await this.tail;
  }
}
