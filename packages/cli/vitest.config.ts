import { defineProject } from "vitest/config";

export default defineProject({
  resolve: { conditions: ["@tenantsync/source", "module", "node", "default"] },
  ssr: { resolve: { conditions: ["@tenantsync/source", "module", "node", "default"] } },
  test: { name: "cli", include: ["test/**/*.test.ts"], testTimeout: 60_000, hookTimeout: 60_000 },
});
