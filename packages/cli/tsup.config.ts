import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts", "src/cli.ts"],
  format: ["esm"],
  dts: { entry: "src/index.ts" },
  clean: true,
  sourcemap: true,
  target: "node20",
  // better-sqlite3 is a native module; @azure/identity is loaded on demand.
  external: ["better-sqlite3", "@azure/identity"],
});
