import { USER_STRING_ATTRIBUTES, type DirectoryUser } from "@tenantsync/core";

/** The 11 properties Graph returns for a user without `$select` (user.md), plus id. */
export const DEFAULT_USER_PROPERTIES: readonly string[] = ["businessPhones", "displayName", "givenName", "id", "jobTitle", "mail", "mobilePhone", "officeLocation", "preferredLanguage", "surname", "userPrincipalName"];

/** Properties Graph serves only from a single-user GET; selecting them on lists or delta gives 501. */
export const SINGLE_USER_ONLY: ReadonlySet<string> = new Set(["aboutme", "birthday", "hiredate", "interests", "mysite", "pastprojects", "preferredname", "responsibilities", "schools", "skills", "mailboxsettings"]);

/** Emulator-only facts about a user that the memory model does not hold. */
export interface UserSideData {
  /** onPremisesExtensionAttributes.extensionAttribute1…15. */
  extensionAttributes: Record<string, string | null>;
  /** Set for users the emulator created through POST /invitations. */
  externalUserState?: string | undefined;
}

const ON_PREM_KEYS = Array.from({ length: 15 }, (_, i) => `extensionAttribute${i + 1}`);

/**
 * A memory user as Graph shows it: Graph property names, `creationType`
 * and `identities` derived from origin, directory extensions as top-level
 * properties, the anchor (when the emulator is told its name) from
 * `alternativeSecurityId`.
 */
export function graphUserView(user: DirectoryUser, side: UserSideData | undefined, context: { defaultDomain: string; anchorAttribute: string | undefined }): Record<string, unknown> {
  const external = user.origin === "external";
  const view: Record<string, unknown> = { id: user.id };
  for (const name of USER_STRING_ATTRIBUTES) view[name] = user[name];
  view["businessPhones"] = [...user.businessPhones];
  view["accountEnabled"] = user.accountEnabled;
  view["userType"] = user.userType;
  view["creationType"] = external ? "Invitation" : null;
  view["externalUserState"] = external ? (side?.externalUserState ?? "Accepted") : null;
  view["showInAddressList"] = user.showInAddressList;
  view["createdDateTime"] = user.createdDateTime;
  view["deletedDateTime"] = user.deletedDateTime;
  view["identities"] = external
    ? [
        { signInType: "federated", issuer: "ExternalAzureAD", issuerAssignedId: null },
        { signInType: "userPrincipalName", issuer: context.defaultDomain, issuerAssignedId: user.userPrincipalName },
      ]
    : [{ signInType: "userPrincipalName", issuer: context.defaultDomain, issuerAssignedId: user.userPrincipalName }];
  const onPrem: Record<string, string | null> = {};
  for (const key of ON_PREM_KEYS) onPrem[key] = side?.extensionAttributes[key] ?? null;
  view["onPremisesExtensionAttributes"] = onPrem;
  for (const [key, value] of Object.entries(user.extensions)) view[key] = value;
  const anchor = context.anchorAttribute;
  if (anchor && user.alternativeSecurityId) {
    const value = `${user.alternativeSecurityId.tenantId}:${user.alternativeSecurityId.userId}`;
    const n = /^extensionAttribute(\d+)$/.exec(anchor);
    if (n) onPrem[anchor] ??= value;
    else view[anchor] ??= value;
  }
  return view;
}

/** Names a `$select` may use on users (lower case), besides directory extensions. */
export function isSelectableUserProperty(name: string): boolean {
  const lower = name.toLowerCase();
  return SELECTABLE.has(lower) || /^extension_[0-9a-f]{32}_\w+$/i.test(name);
}

const SELECTABLE = new Set(
  [
    "id",
    ...USER_STRING_ATTRIBUTES,
    "businessPhones",
    "accountEnabled",
    "userType",
    "creationType",
    "externalUserState",
    "showInAddressList",
    "createdDateTime",
    "deletedDateTime",
    "identities",
    "onPremisesExtensionAttributes",
  ].map((n) => n.toLowerCase()),
);

/**
 * Applies `$select` to a view: the named properties (any case) plus `id`;
 * without `$select`, Graph's default set. Directory extensions that a user
 * has no value for are left out, as Graph does.
 */
export function selectProperties(view: Record<string, unknown>, select: readonly string[] | null): Record<string, unknown> {
  const names = select ?? DEFAULT_USER_PROPERTIES;
  const out: Record<string, unknown> = { id: view["id"] };
  const keys = Object.keys(view);
  for (const name of names) {
    const key = keys.find((k) => k.toLowerCase() === name.toLowerCase());
    if (key !== undefined) out[key] = view[key];
  }
  return out;
}
