import { defineProject } from "vitest/config";

export default defineProject({
  resolve: { conditions: ["@tenantsync/source", "module", "node", "default"] },
  ssr: { resolve: { conditions: ["@tenantsync/source", "module", "node", "default"] } },
  test: { name: "scim", include: ["test/**/*.test.ts"] },
});
