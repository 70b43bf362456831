import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node20",
  // The kit registers tests with the host project's Vitest and draws values
  // with its fast-check: both are peers and must never be bundled.
  external: ["vitest", "fast-check", "@tenantsync/core"],
});
