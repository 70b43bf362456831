import { describe, expect, it } from "vitest";
import { createProgressBars, createRedactor, renderTable } from "../src/index.ts";

describe("tables", () => {
  it("box the cells, align numbers right and cut long cells with an ellipsis", () => {
    const text = renderTable([{ header: "JOB" }, { header: "N", align: "right" }, { header: "NOTE", max: 8 }], [["a", "1", "short"], ["bbbb", "1,234", "much too long"]]);
    expect(text.split("\n")).toEqual([
      "┌──────┬───────┬──────────┐",
      "│ JOB  │     N │ NOTE     │",
      "├──────┼───────┼──────────┤",
      "│ a    │     1 │ short    │",
      "│ bbbb │ 1,234 │ much to… │",
      "└──────┴───────┴──────────┘",
      "",
    ]);
  });
});

describe("progress bars", () => {
  it("draw a bar per job with its count and a closing note, and put logged lines above them", () => {
    let out = "";
    const bars = createProgressBars({ write: (t) => (out += t), columns: 120 });
    const a = bars.bar("hub → spoke");
    a.update(250, 1000, "apply");
    bars.log("a note");
    a.update(1000, 1000, "apply");
    a.finish("✓ 1,000 created");
    bars.stop();
    const screen = out.replace(/\x1b\[\d*[AJK]/g, "");
    expect(screen).toContain("a note\n");
    expect(screen).toMatch(/hub → spoke\s+█{28} 100%\s+1,000\/1,000 .*✓ 1,000 created/);
  });
});

describe("the redactor", () => {
  it("replaces every registered secret, including its JSON-escaped form, and ignores tiny values", () => {
    const r = createRedactor();
    r.add('pa"ss\\word');
    r.add("ab");
    expect(r.redact(`x pa"ss\\word y ${JSON.stringify('pa"ss\\word')} ab`)).toBe('x [redacted] y "[redacted]" ab');
  });
});
