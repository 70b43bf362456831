// `pnpm demo`: grows with the SDK. For now it validates a job configuration and
// prints the defaults a job gets.
import { parseSyncJobConfig } from "@tenantsync/core";

const config = parseSyncJobConfig({
  sourceTenantId: "11111111-1111-4111-8111-111111111111",
  targetTenantId: "22222222-2222-4222-8222-222222222222",
  scope: { mode: "all" },
});
console.log("tenantsync demo: a job configuration with its defaults");
console.log(JSON.stringify(config, null, 2));
