import { defineProject } from "vitest/config";

export default defineProject({
  resolve: { conditions: ["@tenantsync/source", "module", "node", "default"] },
  ssr: { resolve: { conditions: ["@tenantsync/source", "module", "node", "default"] } },
  test: { name: "example-json-file-directory", include: ["test/**/*.test.ts"] },
});
