/**
 * The UPN and mailNickname an external (B2B) user gets in its target tenant.
 *
 * @example
 * ```ts
 * const { userPrincipalName, mailNickname }: ExternalUserNames = externalUserPrincipalName("adele@contoso.com", "fabrikam.com");
 * ```
 */
export interface ExternalUserNames {
  /** `alias_domain#EXT#@targetdomain` */
  userPrincipalName: string;
  /** `alias_domain#EXT#` */
  mailNickname: string;
}

/**
 * Derives the target-side names of an external user the way Entra does:
 * the source UPN `alias@domain` becomes `alias_domain#EXT#@<target default
 * domain>` and the mailNickname is the part before the `@`
 * (`alias_domain#EXT#`). Graph documents this form, for example
 * `AdeleVance_adatum.com#EXT#@contoso.com` (user-get) and mailNickname
 * `a_contoso.com#EXT#` (user-list, example 4). A UPN that already contains
 * `#EXT#` is kept as it is (deriving is idempotent).
 *
 * @example
 * ```ts
 * externalUserPrincipalName("adele@contoso.com", "fabrikam.com");
 * // { userPrincipalName: "adele_contoso.com#EXT#@fabrikam.com", mailNickname: "adele_contoso.com#EXT#" }
 * ```
 */
export function externalUserPrincipalName(sourceUserPrincipalName: string, targetDomain: string): ExternalUserNames {
  const at = sourceUserPrincipalName.lastIndexOf("@");
  if (at <= 0 || at === sourceUserPrincipalName.length - 1) {
    throw new RangeError(`externalUserPrincipalName: '${sourceUserPrincipalName}' does not look like alias@domain`);
  }
  if (sourceUserPrincipalName.toUpperCase().includes("#EXT#")) {
    return { userPrincipalName: sourceUserPrincipalName, mailNickname: sourceUserPrincipalName.slice(0, at) };
  }
  const nickname = `${sourceUserPrincipalName.slice(0, at)}_${sourceUserPrincipalName.slice(at + 1)}#EXT#`;
  return { userPrincipalName: `${nickname}@${targetDomain}`, mailNickname: nickname };
}
