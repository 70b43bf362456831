import type { ScimTenantInput } from "../../src/index.ts";

/** The SCIM service's tenant in tests. */
export const SCIM_TENANT: ScimTenantInput = {
  id: "5c1a0000-0000-4000-8000-00000000a990",
  displayName: "SCIM App",
  verifiedDomains: ["app.example.com"],
};

/** The source tenant of the end-to-end tests. */
export const SOURCE_TENANT = {
  id: "50c0ce00-0000-4000-8000-000000000001",
  displayName: "Contoso",
  verifiedDomains: ["contoso.com"],
};
