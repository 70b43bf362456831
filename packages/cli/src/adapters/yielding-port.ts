import type { DirectoryPort } from "@tenantsync/core";

/**
 * Wraps a directory whose calls never wait for I/O (the in-memory one), so
 * that a long cycle still gives the event loop a turn every `everyMs`: Ctrl-C
 * is noticed at the next user boundary and progress bars are redrawn. A
 * memory directory's promises resolve as microtasks, which would otherwise
 * keep timers and signal handlers waiting until the whole cycle ends.
 *
 * @example
 * ```ts
 * const port = createYieldingPort(createMemoryDirectory({ tenant }));
 * ```
 */
export function createYieldingPort<P extends DirectoryPort>(port: P, everyMs = 25): P {
  let last = Date.now();
  const turn = async (): Promise<void> => {
    const now = Date.now();
    if (now - last < everyMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    last = Date.now();
  };
  const call =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      await turn();
      return fn(...args);
    };
  const pages =
    <A extends unknown[], T>(fn: (...args: A) => AsyncIterable<T>) =>
    (...args: A): AsyncIterable<T> =>
      (async function* () {
        for await (const page of fn(...args)) {
          await turn();
          yield page;
        }
      })();
  const wrapped: DirectoryPort = {
    name: port.name,
    capabilities: port.capabilities,
    describe: call((o) => port.describe(o)),
    getPartnerSettings: call((id: string, o) => port.getPartnerSettings(id, o)),
    listUsers: pages((o) => port.listUsers(o)),
    getUser: call((id: string, o) => port.getUser(id, o)),
    listGroupMembers: pages((id: string, o) => port.listGroupMembers(id, o)),
    currentCursor: call((o) => port.currentCursor(o)),
    readChanges: pages((c: string, o) => port.readChanges(c, o)),
    findUsers: call((q: Parameters<DirectoryPort["findUsers"]>[0], o) => port.findUsers(q, o)),
    createExternalUser: call((i: Parameters<DirectoryPort["createExternalUser"]>[0], o: Parameters<DirectoryPort["createExternalUser"]>[1]) => port.createExternalUser(i, o)),
    updateUser: call((id: string, c: Parameters<DirectoryPort["updateUser"]>[1], o: Parameters<DirectoryPort["updateUser"]>[2]) => port.updateUser(id, c, o)),
    setManager: call((id: string, m: string | null, o: Parameters<DirectoryPort["setManager"]>[2]) => port.setManager(id, m, o)),
    softDeleteUser: call((id: string, o: Parameters<DirectoryPort["softDeleteUser"]>[1]) => port.softDeleteUser(id, o)),
    restoreUser: call((id: string, o: Parameters<DirectoryPort["restoreUser"]>[1]) => port.restoreUser(id, o)),
  };
  // Keep the wrapped object's extras (tenant, admin, headCursor, epoch…).
  return Object.assign(Object.create(port) as P, wrapped);
}
