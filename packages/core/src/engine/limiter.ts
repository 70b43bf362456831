/** Runs a task when a slot is free. */
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

/**
 * A concurrency limiter for the engine's hot path: at most `concurrency`
 * tasks run at once, the others start in call order as slots free up. A task
 * that finds a free slot starts at once (synchronously), and costs one
 * promise; p-limit's general design costs several promises and closures per
 * task, which a million-user cycle with in-memory adapters feels.
 *
 * @example
 * ```ts
 * const limit = createLimiter(8);
 * await Promise.all(actions.map((a) => limit(() => execute(a))));
 * ```
 */
export function createLimiter(concurrency: number): Limiter {
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) throw new RangeError(`createLimiter: concurrency must be an integer >= 1, got ${concurrency}`);
  let active = 0;
  let waiting: Array<(() => void) | undefined> = [];
  let head = 0;

  const release = (): void => {
    active--;
    if (head < waiting.length) {
      const next = waiting[head]!;
      waiting[head++] = undefined;
      if (head === waiting.length) {
        waiting = [];
        head = 0;
      }
      active++;
      next();
    }
  };

  const start = <T>(task: () => Promise<T>): Promise<T> => {
    let promise: Promise<T>;
    try {
      promise = task();
    } catch (error) {
      release();
      return Promise.reject(error);
    }
    return promise.then(
      (value) => {
        release();
        return value;
      },
      (error: unknown) => {
        release();
        throw error;
      },
    );
  };

  return <T>(task: () => Promise<T>): Promise<T> => {
    if (active < concurrency) {
      active++;
      return start(task);
    }
    return new Promise<T>((resolve, reject) => {
      waiting.push(() => start(task).then(resolve, reject));
    });
  };
}
