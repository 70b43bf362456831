import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runStateStoreConformance } from "@tenantsync/testkit";
import { createSqliteStateStore, type SqliteStateStore } from "../src/index.ts";

/** Per store: its temporary folder and the stores reopened over its file, released together. */
const owned = new Map<SqliteStateStore, { dir: string; reopened: SqliteStateStore[] }>();

runStateStoreConformance({
  name: "sqlite",
  // A fresh file in a fresh folder for every test.
  create: () => {
    const dir = mkdtempSync(join(tmpdir(), "tenantsync-sqlite-kit-"));
    const store = createSqliteStateStore({ path: join(dir, "state.db") });
    owned.set(store, { dir, reopened: [] });
    return store;
  },
  probe: (store) => ({
    async reopen() {
      await store.close();
      const again = createSqliteStateStore({ path: store.path });
      owned.get(store)!.reopened.push(again);
      return again;
    },
  }),
  destroy: async (store) => {
    const o = owned.get(store)!;
    owned.delete(store);
    await store.close();
    for (const s of o.reopened) await s.close();
    rmSync(o.dir, { recursive: true, force: true });
  },
});
