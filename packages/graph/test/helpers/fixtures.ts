import { readFileSync } from "node:fs";

/** Reads a JSON fixture from test/fixtures (see its README for each file's source). */
export function loadFixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8")) as T;
}
