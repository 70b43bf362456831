import type { Cloud } from "@tenantsync/core";

/**
 * The endpoints of one Microsoft cloud: where Graph lives, where tokens come
 * from, and the scope to ask for. Source: Microsoft Graph docs
 * `concepts/deployments.md` (Graph roots) and `@azure/identity`'s
 * `AzureAuthorityHosts` (login hosts).
 *
 * @example
 * ```ts
 * const { graphRoot, scope }: GraphCloudEndpoints = graphEndpointsFor("dod");
 * ```
 */
export interface GraphCloudEndpoints {
  /** The cloud this describes. */
  cloud: Cloud;
  /** Graph's root, without a version segment, e.g. `https://graph.microsoft.com`. */
  graphRoot: string;
  /** The Entra token authority host, e.g. `https://login.microsoftonline.com`. */
  authorityHost: string;
  /** The app-only scope to request: `{graphRoot}/.default`. */
  scope: string;
}

const ROOTS: Record<Cloud, { graphRoot: string; authorityHost: string }> = {
  // Commercial and M365 GCC both use the worldwide endpoints.
  commercial: { graphRoot: "https://graph.microsoft.com", authorityHost: "https://login.microsoftonline.com" },
  gcc: { graphRoot: "https://graph.microsoft.com", authorityHost: "https://login.microsoftonline.com" },
  // US Government L4 (GCC High) and L5 (DoD) share the .us login host.
  gcch: { graphRoot: "https://graph.microsoft.us", authorityHost: "https://login.microsoftonline.us" },
  dod: { graphRoot: "https://dod-graph.microsoft.us", authorityHost: "https://login.microsoftonline.us" },
  // China, operated by 21Vianet.
  china: { graphRoot: "https://microsoftgraph.chinacloudapi.cn", authorityHost: "https://login.chinacloudapi.cn" },
};

/**
 * The Graph root, token authority and scope of a cloud. Tokens are not
 * interchangeable between clouds: give your credential the matching
 * `authorityHost`.
 *
 * @example
 * ```ts
 * const { graphRoot, authorityHost, scope } = graphEndpointsFor("gcch");
 * // "https://graph.microsoft.us", "https://login.microsoftonline.us", "https://graph.microsoft.us/.default"
 * const credential = new ClientSecretCredential(tenantId, clientId, secret, { authorityHost });
 * ```
 */
export function graphEndpointsFor(cloud: Cloud): GraphCloudEndpoints {
  const roots = ROOTS[cloud];
  if (!roots) throw new RangeError(`graphEndpointsFor: unknown cloud '${String(cloud)}' (expected one of ${Object.keys(ROOTS).join(", ")})`);
  return { cloud, ...roots, scope: `${roots.graphRoot}/.default` };
}
