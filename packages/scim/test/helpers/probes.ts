import type { DirectoryUser } from "@tenantsync/core";
import type { DirectoryProbe, SeedUserInput } from "@tenantsync/testkit";
import { buildScimResource, encodeExternalId, formatSoftDeleteMarker, type ScimPath, type ScimUserMapper } from "../../src/index.ts";
import type { BetterAuthScimServer } from "./better-auth-server.ts";
import type { ScimmyServer } from "./scimmy-server.ts";

/** A SCIM resource for a user the kit seeds (built from the mapping, as an administrator of the app would create it). */
export function resourceOfSeed(input: SeedUserInput, mapper: ScimUserMapper): Record<string, unknown> {
  const writes: Array<readonly [ScimPath, unknown]> = [];
  for (const entry of mapper.attributes) {
    const name = entry.attribute;
    let value: unknown;
    if (name === "businessPhones") value = input.businessPhones?.[0];
    else if (name.startsWith("extension_")) value = input.extensions?.[name];
    else value = (input as Record<string, unknown>)[name];
    if (name === "userType") value = input.userType ?? "Member";
    if (value !== undefined && value !== null) writes.push([entry.path, value]);
  }
  if (input.managerId && mapper.managerPath) writes.push([mapper.managerPath, { value: input.managerId }]);
  return buildScimResource(writes, {
    externalId: input.alternativeSecurityId ? encodeExternalId(input.alternativeSecurityId) : undefined,
    active: input.accountEnabled !== false,
  });
}

/** The backdoor into the scimmy test service: its in-memory store. */
export function scimmyProbe(server: ScimmyServer, mapper: ScimUserMapper, now: () => Date): DirectoryProbe {
  const read = (id: string): DirectoryUser | null => {
    const stored = server.store.users.get(id);
    return stored ? mapper.toUser(structuredClone(stored)) : null;
  };
  const probe: DirectoryProbe = {
    async seedUser(input) {
      return mapper.toUser(server.insert(resourceOfSeed(input, mapper)));
    },
    async getUser(id) {
      return read(id);
    },
    async listUsers() {
      return [...server.store.users.values()].map((u) => mapper.toUser(structuredClone(u)));
    },
  };
  const marker = mapper.markerPath;
  // Only a directory that deprovisions by disabling has a bin (inactive + the marker).
  if (marker?.schema) {
    probe.softDeleteUser = async (id) => {
      const stored = server.store.users.get(id);
      if (!stored) throw new Error(`no user ${id} to soft-delete`);
      const ext = (stored[marker.schema!] ?? {}) as Record<string, unknown>;
      ext[marker.attribute] = formatSoftDeleteMarker({ deletedDateTime: now().toISOString(), wasActive: stored.active !== false });
      stored[marker.schema!] = ext;
      stored.active = false;
    };
  }
  return probe;
}

/** The backdoor into the better-auth test service: its memory adapter's tables; seeding through the service's own API with its token (not the adapter). */
export function betterAuthProbe(server: BetterAuthScimServer, mapper: ScimUserMapper): DirectoryProbe {
  const rows = () => server.db.scimUser ?? [];
  const read = (id: string): DirectoryUser | null => {
    const resource = server.storedResources().find((r) => r.id === id);
    return resource ? mapper.toUser(resource) : null;
  };
  return {
    async seedUser(input) {
      const response = await fetch(`${server.baseUrl}/Users`, {
        method: "POST",
        headers: { authorization: `Bearer ${server.token}`, "content-type": "application/scim+json" },
        body: JSON.stringify(resourceOfSeed(input, mapper)),
      });
      const body = (await response.json()) as { id?: string; detail?: string };
      if (!response.ok || !body.id) throw new Error(`seeding failed: ${response.status} ${body.detail ?? ""}`);
      const user = read(body.id);
      if (!user) throw new Error(`seeded user ${body.id} is not in the store`);
      return user;
    },
    async getUser(id) {
      return read(id);
    },
    async listUsers() {
      return rows().map((r) => read(String(r.id))!);
    },
  };
}
