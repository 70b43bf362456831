import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node20",
  // Native addon: never bundle it, load it from node_modules at run time.
  external: ["better-sqlite3"],
});
