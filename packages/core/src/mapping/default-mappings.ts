import type { AttributeMapping, FlowType } from "../model/sync-job-config.ts";
import type { UserType } from "../model/user.ts";

/** Options of {@link defaultMappings}. */
export interface DefaultMappingsOptions {
  /** userType of the users the job creates; default `Member`. */
  userType?: UserType | undefined;
}

/**
 * The source expression of the fixed matching mapping on `alternativeSecurityIds`.
 *
 * @example
 * ```ts
 * const matching = { targetAttributeName: "alternativeSecurityIds", source: ALT_SEC_ID_EXPRESSION, matchingPriority: 1 };
 * ```
 */
export const ALT_SEC_ID_EXPRESSION = "AltSecIdFromNetId([netId])";

/** Attributes the default set copies from the same-named source attribute (MAPPINGS.md). */
const DIRECT_ATTRIBUTES = [
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
  "preferredLanguage",
  "mobilePhone",
  "telephoneNumber",
  "mail",
  "mailNickname",
  "userPrincipalName",
] as const;

function mapping(targetAttributeName: string, source: string, flowType: FlowType = "Always", matchingPriority = 0): AttributeMapping {
  return { targetAttributeName, source, flowType, defaultValue: null, matchingPriority, caseInsensitive: false };
}

/**
 * The default cross-tenant mapping set (MAPPINGS.md), used when a job gives
 * no mappings, and a starting point for those who write their own: the
 * matching mapping `alternativeSecurityIds ← AltSecIdFromNetId([netId])`
 * (matching priority 1, fixed), `IsSoftDeleted`, `accountEnabled`, the
 * profile attributes copied as they are (`telephoneNumber` is the first
 * business phone), `showInAddressList` constant `True`, `userType` constant
 * `Member` (or `Guest`) applied only at creation, and `manager`.
 * Returns a fresh array each call.
 *
 * @example
 * ```ts
 * const mappings = defaultMappings({ userType: "Guest" });
 * mappings.push({ ...mappings.find((m) => m.targetAttributeName === "department")!, targetAttributeName: "extension_0123456789abcdef0123456789abcdef_dept" });
 * ```
 */
export function defaultMappings(options: DefaultMappingsOptions = {}): AttributeMapping[] {
  const userType = options.userType ?? "Member";
  return [
    mapping("alternativeSecurityIds", ALT_SEC_ID_EXPRESSION, "Always", 1),
    mapping("IsSoftDeleted", "[IsSoftDeleted]"),
    mapping("accountEnabled", "[accountEnabled]"),
    ...DIRECT_ATTRIBUTES.map((name) => mapping(name, `[${name}]`)),
    mapping("showInAddressList", '"True"'),
    mapping("userType", `"${userType}"`, "ObjectAddOnly"),
    mapping("manager", "[manager]"),
  ];
}
