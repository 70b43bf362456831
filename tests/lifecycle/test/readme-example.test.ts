import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it, vi } from "vitest";

const here = fileURLToPath(new URL(".", import.meta.url));

it("the README's embedding example runs as written and prints what it promises", async () => {
  const readme = readFileSync(join(here, "../../../README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Embedding"));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  expect(code, "a ts block under ## Embedding").toBeTruthy();
  // Written next to this test so the workspace packages resolve as they do for users.
  const dir = mkdtempSync(join(here, ".readme-"));
  const file = join(dir, "example.ts");
  writeFileSync(file, code!);
  const lines: string[] = [];
  const spy = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void lines.push(args.join(" ")));
  try {
    await import(/* @vite-ignore */ file);
  } finally {
    spy.mockRestore();
    rmSync(dir, { recursive: true, force: true });
  }
  expect(lines).toEqual(["1 1", "adele_contoso.com#EXT#@fabrikam.com Sales lead"]);
});
