import type { DirectoryUser } from "../model/user.ts";

/** Extra, derived attributes of a source user that the engine knows and the user record does not. */
export interface SourceAttributesExtra {
  /**
   * Entra's `IsSoftDeleted`: true when the user is deleted, unassigned, out of
   * the scoping filter, or disabled. When omitted it is derived from the
   * record alone: `deletedDateTime` set or `accountEnabled` false.
   */
  IsSoftDeleted?: boolean | undefined;
}

/**
 * The attributes of a source user as Entra's expressions and scoping filters
 * read them: every {@link DirectoryUser} field under its Graph name, plus
 * `netId` and `objectId` (both the user id), `telephoneNumber` (the first
 * business phone, or null), `manager` (the manager's id, or null),
 * `IsSoftDeleted` (a boolean), and each directory extension attribute at the
 * top level under its full `extension_<appId>_<name>` name. Booleans stay
 * booleans (`accountEnabled: true`); missing values are `null`.
 *
 * Cheap: one flat object per call, no copies of arrays.
 *
 * @example
 * ```ts
 * const attrs = sourceAttributesOf(user);
 * attrs.netId === user.id; // true
 * attrs.telephoneNumber;   // user.businessPhones[0] ?? null
 * ```
 */
export function sourceAttributesOf(user: DirectoryUser, extra?: SourceAttributesExtra): Record<string, unknown> {
  const phones = user.businessPhones;
  const attrs: Record<string, unknown> = {
    id: user.id,
    objectId: user.id,
    netId: user.id,
    userPrincipalName: user.userPrincipalName,
    mail: user.mail ?? null,
    mailNickname: user.mailNickname ?? null,
    displayName: user.displayName,
    givenName: user.givenName ?? null,
    surname: user.surname ?? null,
    jobTitle: user.jobTitle ?? null,
    department: user.department ?? null,
    companyName: user.companyName ?? null,
    employeeId: user.employeeId ?? null,
    officeLocation: user.officeLocation ?? null,
    streetAddress: user.streetAddress ?? null,
    city: user.city ?? null,
    state: user.state ?? null,
    postalCode: user.postalCode ?? null,
    country: user.country ?? null,
    businessPhones: phones ?? [],
    telephoneNumber: phones !== undefined && phones.length > 0 ? phones[0] : null,
    mobilePhone: user.mobilePhone ?? null,
    preferredLanguage: user.preferredLanguage ?? null,
    accountEnabled: user.accountEnabled !== false,
    userType: user.userType ?? "Member",
    showInAddressList: user.showInAddressList ?? null,
    manager: user.managerId ?? null,
    createdDateTime: user.createdDateTime ?? null,
    deletedDateTime: user.deletedDateTime ?? null,
    IsSoftDeleted: extra?.IsSoftDeleted ?? ((user.deletedDateTime ?? null) !== null || user.accountEnabled === false),
  };
  const extensions = user.extensions;
  if (extensions !== undefined) {
    for (const name in extensions) attrs[name] = extensions[name] ?? null;
  }
  return attrs;
}
