import { defineConfig } from "vitest/config";

/**
 * One Vitest project per package. Tests resolve workspace packages to their
 * TypeScript sources through the `@tenantsync/source` export condition, so no
 * build is needed before testing.
 */
export default defineConfig({
  resolve: { conditions: ["@tenantsync/source", "module", "node", "default"] },
  ssr: { resolve: { conditions: ["@tenantsync/source", "module", "node", "default"] } },
  test: {
    projects: ["packages/*", "examples/*", "tests/*"],
  },
});
