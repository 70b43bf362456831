import { access } from "node:fs/promises";
import { ConfigError, type Cloud } from "@tenantsync/core";
import { graphEndpointsFor, type GraphAccessToken, type GraphTokenCredential } from "@tenantsync/graph";
import type { CredentialConfig } from "../config/tenantsync-config.ts";
import { loadModuleExport } from "./load-module-export.ts";

/**
 * What {@link createCredential} needs besides the credential's config.
 *
 * @example
 * ```ts
 * const context: CredentialContext = { tenantId, cloud: "gcch", baseUrl: undefined, resolvePath: (p) => p, path: ["tenants", 0, "adapter", "credential"] };
 * ```
 */
export interface CredentialContext {
  tenantId: string;
  cloud: Cloud;
  /** The Graph base URL override, if any (the `emulator` credential requires a loopback one). */
  baseUrl: string | undefined;
  resolvePath(path: string): string;
  /** The credential's JSON path in the config, for errors. */
  path: ReadonlyArray<string | number>;
}

const LOOPBACK = /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/i;

/** The `exp` claim of a JWT-shaped token, in ms; null when it has none. */
function jwtExpiry(token: string): number | null {
  const payload = token.split(".")[1];
  if (!payload) return null;
  try {
    const exp = (JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { exp?: unknown }).exp;
    return typeof exp === "number" ? exp * 1000 : null;
  } catch {
    return null;
  }
}

/**
 * Makes the `TokenCredential` a Graph adapter asks for tokens, from its
 * config. `@azure/identity` (≤ 4.13.1 on Node 20) is loaded only for the
 * types that need it, with the authority host of the tenant's cloud.
 *
 * @example
 * ```ts
 * const credential = await createCredential({ type: "clientSecret", clientId, clientSecret }, { tenantId, cloud: "commercial", baseUrl: undefined, resolvePath, path: [] });
 * ```
 */
export async function createCredential(config: CredentialConfig, context: CredentialContext): Promise<GraphTokenCredential> {
  const authorityHost = graphEndpointsFor(context.cloud).authorityHost;
  switch (config.type) {
    case "clientSecret": {
      const { ClientSecretCredential } = await import("@azure/identity");
      return new ClientSecretCredential(context.tenantId, config.clientId, config.clientSecret, { authorityHost });
    }
    case "certificate": {
      const certificatePath = context.resolvePath(config.certificatePath);
      try {
        await access(certificatePath);
      } catch {
        throw new ConfigError([{ path: [...context.path, "certificatePath"], message: `certificate file ${certificatePath} does not exist or cannot be read` }], "credential");
      }
      const { ClientCertificateCredential } = await import("@azure/identity");
      return new ClientCertificateCredential(
        context.tenantId,
        config.clientId,
        { certificatePath, ...(config.certificatePassword !== undefined ? { certificatePassword: config.certificatePassword } : {}) },
        { authorityHost, ...(config.sendCertificateChain !== undefined ? { sendCertificateChain: config.sendCertificateChain } : {}) },
      );
    }
    case "defaultAzure": {
      const { DefaultAzureCredential } = await import("@azure/identity");
      return new DefaultAzureCredential({ authorityHost, tenantId: context.tenantId, ...(config.managedIdentityClientId ? { managedIdentityClientId: config.managedIdentityClientId } : {}) });
    }
    case "module": {
      const factory = await loadModuleExport(config.module, config.export, context.resolvePath, context.path);
      const credential = (await factory(config.options ?? {}, { tenantId: context.tenantId, cloud: context.cloud, authorityHost })) as GraphTokenCredential | null;
      if (!credential || typeof credential.getToken !== "function") {
        throw new ConfigError([{ path: [...context.path, "module"], message: `${config.module} did not return a TokenCredential (an object with getToken(scopes, options))` }], "credential");
      }
      return credential;
    }
    case "static": {
      const token = config.token;
      const expiry = jwtExpiry(token);
      return {
        async getToken(): Promise<GraphAccessToken> {
          return { token, expiresOnTimestamp: expiry ?? Date.now() + 3_600_000 };
        },
      };
    }
    case "emulator": {
      if (!context.baseUrl || !LOOPBACK.test(context.baseUrl)) {
        throw new ConfigError(
          [{ path: [...context.path, "type"], message: "the emulator credential only talks to a Graph emulator: set the adapter's baseUrl to its loopback URL (http://127.0.0.1:<port>)" }],
          "credential",
        );
      }
      const { createEmulatorCredential } = await import("@tenantsync/graph/emulator");
      return createEmulatorCredential({ tenantId: context.tenantId });
    }
  }
}
