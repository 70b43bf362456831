import type { Scenario } from "../lib/bench-row.ts";

export const graphEmulatorInitial5k: Scenario = {
  name: "graph-emulator-initial-5k",
  description: "5,000 new users through the Graph adapter against the emulator",
  async run() {
    throw new Error("not written yet");
  },
};
