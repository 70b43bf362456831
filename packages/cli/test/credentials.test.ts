import { ClientCertificateCredential, ClientSecretCredential, DefaultAzureCredential } from "@azure/identity";
import { ConfigError, formatPath } from "@tenantsync/core";
import { createEmulatorToken } from "@tenantsync/graph/emulator";
import { describe, expect, it } from "vitest";
import { CredentialConfig, createCredential, type CredentialContext } from "../src/index.ts";
import { CONTOSO } from "./helpers.ts";

const context = (extra: Partial<CredentialContext> = {}): CredentialContext => ({
  tenantId: CONTOSO,
  cloud: "commercial",
  baseUrl: undefined,
  resolvePath: (p) => `/nonexistent-dir/${p}`,
  path: ["tenants", 0, "adapter", "credential"],
  ...extra,
});
const make = (config: unknown, extra: Partial<CredentialContext> = {}) => createCredential(CredentialConfig.parse(config), context(extra));
const pathsOf = async (p: Promise<unknown>) =>
  p.then(
    () => [],
    (e: unknown) => (e instanceof ConfigError ? e.issues.map((i) => formatPath(i.path)) : [String(e)]),
  );

describe("credentials from the config", () => {
  it("clientSecret, certificate and defaultAzure are @azure/identity credentials (nothing is requested yet)", async () => {
    expect(await make({ type: "clientSecret", clientId: "app", clientSecret: "s" }, { cloud: "gcch" })).toBeInstanceOf(ClientSecretCredential);
    expect(await make({ type: "defaultAzure" })).toBeInstanceOf(DefaultAzureCredential);
    // The file is only checked to exist here; @azure/identity reads the PEM when a token is first asked for.
    const existing = new URL("./fixtures/README.md", import.meta.url).pathname;
    expect(await make({ type: "certificate", clientId: "app", certificatePath: existing }, { resolvePath: (p) => p })).toBeInstanceOf(ClientCertificateCredential);
  });

  it("a missing certificate file is a config error at certificatePath", async () => {
    expect(await pathsOf(make({ type: "certificate", clientId: "app", certificatePath: "certs/app.pem" }))).toEqual(["$.tenants[0].adapter.credential.certificatePath"]);
  });

  it("static hands out its token until the JWT's expiry; emulator refuses anything but a loopback URL", async () => {
    const expires = Date.now() + 600_000;
    const token = createEmulatorToken({ tenantId: CONTOSO, expiresOnTimestamp: expires });
    const fixed = await make({ type: "static", token });
    const got = await fixed.getToken("https://graph.microsoft.com/.default");
    expect(got?.token).toBe(token);
    expect(Math.abs(got!.expiresOnTimestamp - expires)).toBeLessThan(1000);
    expect(await pathsOf(make({ type: "emulator" }, { baseUrl: "https://graph.microsoft.com" }))).toEqual(["$.tenants[0].adapter.credential.type"]);
    const emulator = await make({ type: "emulator" }, { baseUrl: "http://127.0.0.1:4010" });
    expect((await emulator.getToken("https://graph.microsoft.com/.default"))?.token.split(".")).toHaveLength(3);
  });

  it("module makes any TokenCredential, and must return one", async () => {
    const dir = new URL("./fixtures/", import.meta.url).pathname;
    const credential = await make({ type: "module", module: "./static-credential.mjs", options: { token: "from-module" } }, { resolvePath: (p) => `${dir}${p}` });
    expect((await credential.getToken("scope"))?.token).toBe("from-module");
    expect(await pathsOf(make({ type: "module", module: "./static-credential.mjs", export: "notACredential" }, { resolvePath: (p) => `${dir}${p}` }))).toEqual(["$.tenants[0].adapter.credential.module"]);
  });
});
