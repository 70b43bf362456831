import { z } from "zod";
import { parseWith } from "./parse.ts";

/** `Member` or `Guest`: the user's relationship to the tenant (not where it signs in). */
export const UserType = z.enum(["Member", "Guest"]);
/** @see {@link UserType} */
export type UserType = z.infer<typeof UserType>;

/**
 * The cross-tenant identity of a synced user: the source tenant and the source
 * object id. Entra stores it in `alternativeSecurityIds`; adapters whose API
 * cannot write that attribute stamp it elsewhere (see the Graph adapter).
 */
export const AlternativeSecurityId = z.object({
  tenantId: z.string().min(1),
  userId: z.string().min(1),
});
/** @see {@link AlternativeSecurityId} */
export type AlternativeSecurityId = z.infer<typeof AlternativeSecurityId>;

/** A directory extension attribute name: `extension_<appId without hyphens>_<name>`. */
export const EXTENSION_ATTRIBUTE_PATTERN: RegExp = /^extension_[0-9a-fA-F]{32}_[A-Za-z0-9_]+$/;

const nullableString = z.string().nullable().default(null);

/**
 * A user as tenantsync sees it in any directory. Field names are Microsoft
 * Graph's. `origin` says whether the user belongs to this tenant (`internal`)
 * or is a B2B user whose home is another tenant (`external`, with
 * `homeTenantId`). `deletedDateTime` is set while the user sits in the
 * soft-delete bin.
 *
 * @example
 * ```ts
 * const user = parseDirectoryUser({ id: "u1", userPrincipalName: "adele@contoso.com", displayName: "Adele Vance" });
 * user.accountEnabled; // true (default)
 * ```
 */
export const DirectoryUser = z.object({
  id: z.string().min(1),
  userPrincipalName: z.string().min(3).regex(/^[^@\s]+@[^@\s]+$/, "must look like alias@domain"),
  mail: nullableString,
  mailNickname: nullableString,
  displayName: z.string().min(1).max(256),
  givenName: nullableString,
  surname: nullableString,
  jobTitle: nullableString,
  department: nullableString,
  companyName: nullableString,
  employeeId: nullableString,
  officeLocation: nullableString,
  streetAddress: nullableString,
  city: nullableString,
  state: nullableString,
  postalCode: nullableString,
  country: nullableString,
  businessPhones: z.array(z.string()).default([]),
  mobilePhone: nullableString,
  preferredLanguage: nullableString,
  accountEnabled: z.boolean().default(true),
  userType: UserType.default("Member"),
  origin: z.enum(["internal", "external"]).default("internal"),
  /** For external users: the tenant the user comes from. */
  homeTenantId: z.string().nullable().default(null),
  /** For users created by sync: the source tenant and source object id. */
  alternativeSecurityId: AlternativeSecurityId.nullable().default(null),
  showInAddressList: z.boolean().nullable().default(null),
  /** Directory extension attributes, keyed `extension_<appId>_<name>`. */
  extensions: z.record(z.string().regex(EXTENSION_ATTRIBUTE_PATTERN, "must be extension_<appId without hyphens>_<name>"), z.union([z.string(), z.number(), z.boolean(), z.null()])).default({}),
  managerId: z.string().nullable().default(null),
  createdDateTime: z.string().nullable().default(null),
  /** Set while the user is soft-deleted (ISO 8601). */
  deletedDateTime: z.string().nullable().default(null),
});
/** @see {@link DirectoryUser} */
export type DirectoryUser = z.infer<typeof DirectoryUser>;
/** The input form of {@link DirectoryUser}: every defaulted field is optional. */
export type DirectoryUserInput = z.input<typeof DirectoryUser>;

/**
 * The attributes of a user that sync may write (everything but identity,
 * origin and lifecycle fields).
 */
export type UserAttributes = Partial<Omit<DirectoryUser, "id" | "origin" | "homeTenantId" | "alternativeSecurityId" | "createdDateTime" | "deletedDateTime">>;

/** Names of the writable string attributes of a user. */
export const USER_STRING_ATTRIBUTES = [
  "userPrincipalName",
  "mail",
  "mailNickname",
  "displayName",
  "givenName",
  "surname",
  "jobTitle",
  "department",
  "companyName",
  "employeeId",
  "officeLocation",
  "streetAddress",
  "city",
  "state",
  "postalCode",
  "country",
  "mobilePhone",
  "preferredLanguage",
] as const;

/**
 * Validates a user record (filling defaults), throwing `ConfigError` with every issue.
 *
 * @example
 * ```ts
 * parseDirectoryUser({ id: "u1", userPrincipalName: "a@contoso.com", displayName: "A" });
 * ```
 */
export function parseDirectoryUser(input: unknown): DirectoryUser {
  return parseWith(DirectoryUser, input, "directory user");
}

/**
 * True when the user may leave its tenant through sync (R2): internal and a Member.
 *
 * @example
 * ```ts
 * isEligibleForSync({ origin: "internal", userType: "Member" }); // true
 * ```
 */
export function isEligibleForSync(user: Pick<DirectoryUser, "origin" | "userType">): boolean {
  return user.origin === "internal" && user.userType === "Member";
}
