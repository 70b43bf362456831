// Core's in-memory state store through the StateStore conformance kit.
import { createMemoryStateStore } from "@tenantsync/core";
import { runStateStoreConformance } from "../src/index.ts";

runStateStoreConformance({
  name: "memory",
  create: () => createMemoryStateStore(),
  // The memory store keeps nothing across processes by design: there is nothing to reopen.
  disable: ["durability.reopen"],
});
