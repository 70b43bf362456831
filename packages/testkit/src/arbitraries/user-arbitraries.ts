import fc from "fast-check";
import type { DirectoryUser, UserAttributes } from "@tenantsync/core";

/**
 * An extension attribute name the arbitraries use: a fixed (made-up) app id so
 * generated users of different runs share their extension names.
 *
 * @example
 * ```ts
 * const costCenter = `${TESTKIT_EXTENSION_PREFIX}costCenter`; // also "badgeNumber", "region"
 * ```
 */
export const TESTKIT_EXTENSION_PREFIX = "extension_7e57c0de0000400080000000000000aa_";

/**
 * Options shared by the user arbitraries.
 *
 * @example
 * ```ts
 * arbitraries.internalMember({ domain: "contoso.com", id: fc.constant("u1"), alias: () => "adele" });
 * ```
 */
export interface UserArbitraryOptions {
  /** Domain of generated userPrincipalName and mail values. Default `contoso.com`. */
  domain?: string;
  /**
   * The user's id. Default: a random v4 GUID. Give a constant (`fc.constant("u1")`)
   * or your own arbitrary to control ids.
   */
  id?: fc.Arbitrary<string>;
  /**
   * The alias (local part) of userPrincipalName and mail. Default: derived
   * from the id, so two users with different ids never share a UPN or mail.
   */
  alias?: (id: string) => string;
  /** Whether generated users may carry `extensions` values. Default true. */
  extensions?: boolean;
}

/**
 * Options of {@link external}.
 *
 * @example
 * ```ts
 * arbitraries.external({ homeTenantId: fc.constant(sourceTenantId), synced: true });
 * ```
 */
export interface ExternalUserArbitraryOptions extends UserArbitraryOptions {
  /** The external user's home tenant. Default: a random v4 GUID. */
  homeTenantId?: fc.Arbitrary<string>;
  /** Give the user an alternativeSecurityId (it was created by sync). Default: sometimes. */
  synced?: boolean;
}

/**
 * Options of {@link userAttributes}.
 *
 * @example
 * ```ts
 * arbitraries.userAttributes({ mode: "update", writableAttributes: target.capabilities.writableAttributes });
 * ```
 */
export interface UserAttributesArbitraryOptions {
  /**
   * `create` bags always carry `displayName`; `update` bags may be empty and
   * may clear (null) any clearable attribute.
   */
  mode?: "create" | "update";
  /**
   * Only these attributes are generated (a target's `DirectoryCapabilities.writableAttributes`);
   * `null` or absent means every attribute. `extensions` must be listed to get extension values.
   */
  writableAttributes?: readonly string[] | null;
  /** Value of `mail`; default: never generated (mail is unique per tenant, so callers choose it). */
  mail?: fc.Arbitrary<string | null>;
  /** Generate `extensions`. Default true. */
  extensions?: boolean;
}

const NAME_WORDS = ["Adele", "Alex", "Ama", "Bao", "Chidi", "Diego", "Emma", "Fatima", "Grady", "Hana", "Isaiah", "Jun", "Kwame", "Lidia", "Megan", "Nestor", "Olga", "Pradeep", "Quinn", "Raúl", "Søren", "Zoë", "José", "Łukasz", "Åsa"];
const SURNAMES = ["Vance", "Wilber", "Mensah", "Nguyen", "Okafor", "García", "Johansson", "Kowalski", "Müller", "O'Neil", "Smith-Jones", "Tanaka", "Dubois", "Rossi"];
const DEPARTMENTS = ["Sales", "Engineering", "Finance", "Legal", "Marketing", "Operations", "Research"];
const TITLES = ["Engineer", "Senior Engineer", "Account Manager", "Analyst", "Director", "Paralegal", "Designer"];
const CITIES = ["Seattle", "Redmond", "Dublin", "Zürich", "São Paulo", "Kraków", "Osaka", "Accra"];
const COUNTRIES = ["US", "IE", "CH", "BR", "PL", "JP", "GH"];
const LANGUAGES = ["en-US", "en-GB", "de-CH", "pt-BR", "pl-PL", "ja-JP"];
const COMPANIES = ["Contoso", "Fabrikam", "Northwind Traders", "Adatum", "Tailspin Toys"];
const EXTENSION_NAMES = ["costCenter", "badgeNumber", "region"];

const word = (words: readonly string[]) => fc.constantFrom(...words);
const phone = fc.tuple(fc.integer({ min: 200, max: 999 }), fc.integer({ min: 0, max: 9999 })).map(([a, b]) => `+1 ${a} 555 ${String(b).padStart(4, "0")}`);
const shortText = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 .,'-]{0,30}[A-Za-z0-9]$/);
// Arbitraries are built once here: building a stringMatching arbitrary is far costlier than drawing from it.
const extensionValue = fc.stringMatching(/^[A-Z0-9]{1,12}$/);
const extensionValues: fc.Arbitrary<Record<string, string>> = fc.record(Object.fromEntries(EXTENSION_NAMES.map((n) => [`${TESTKIT_EXTENSION_PREFIX}${n}`, extensionValue])), { requiredKeys: [] }) as fc.Arbitrary<Record<string, string>>;
const employeeIds = fc.stringMatching(/^E[0-9]{3,8}$/);
const stateCodes = fc.stringMatching(/^[A-Z]{2}$/);
const postalCodes = fc.stringMatching(/^[0-9]{5}$/);

/** A display name built from first names and surnames (with diacritics and apostrophes). */
const displayNameOf = fc.tuple(word(NAME_WORDS), word(SURNAMES)).map(([g, s]) => `${g} ${s}`);

/** Lower-cases and strips an id down to a safe UPN alias. */
export function aliasOf(id: string): string {
  const alias = id.toLowerCase().replace(/[^a-z0-9]/g, "");
  return alias.length > 0 ? `u${alias.slice(0, 20)}` : "user";
}

/**
 * Attribute bags as the engine writes them through `createExternalUser` and
 * `updateUser`: profile strings, phones, `accountEnabled`, `showInAddressList`
 * and extension values. Never `userPrincipalName`, `mailNickname` (the target
 * derives them for external users) or `managerId` (a reference, set with
 * `setManager`); `mail` only when you pass `options.mail`.
 *
 * @example
 * ```ts
 * fc.assert(fc.asyncProperty(arbitraries.userAttributes({ mode: "update" }), async (changes) => {
 *   await directory.updateUser(id, changes, { sourceTenantId });
 * }));
 * ```
 */
export function userAttributes(options: UserAttributesArbitraryOptions = {}): fc.Arbitrary<UserAttributes> {
  const mode = options.mode ?? "create";
  const clearable = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | null> => (mode === "update" ? fc.option(arb, { freq: 4 }) : arb);
  const model: Record<string, fc.Arbitrary<unknown>> = {
    displayName: displayNameOf,
    givenName: clearable(word(NAME_WORDS)),
    surname: clearable(word(SURNAMES)),
    jobTitle: clearable(word(TITLES)),
    department: clearable(word(DEPARTMENTS)),
    companyName: clearable(word(COMPANIES)),
    employeeId: clearable(employeeIds),
    officeLocation: clearable(shortText),
    streetAddress: clearable(fc.tuple(fc.integer({ min: 1, max: 9999 }), word(SURNAMES)).map(([n, s]) => `${n} ${s} Street`)),
    city: clearable(word(CITIES)),
    state: clearable(stateCodes),
    postalCode: clearable(postalCodes),
    country: clearable(word(COUNTRIES)),
    mobilePhone: clearable(phone),
    preferredLanguage: clearable(word(LANGUAGES)),
    businessPhones: fc.array(phone, { maxLength: 1 }),
    accountEnabled: fc.boolean(),
    showInAddressList: fc.boolean(),
  };
  if (options.mail) model.mail = options.mail;
  if (options.extensions ?? true) model.extensions = extensionValues;
  const writable = options.writableAttributes ? new Set(options.writableAttributes) : null;
  for (const key of Object.keys(model)) {
    if (writable && !writable.has(key) && !(key === "displayName" && mode === "create")) delete model[key];
  }
  const requiredKeys = mode === "create" ? ["displayName"] : [];
  return fc.record(model, { requiredKeys }) as fc.Arbitrary<UserAttributes>;
}

function baseUser(options: UserArbitraryOptions, origin: "internal" | "external", userType: "Member" | "Guest", external?: ExternalUserArbitraryOptions): fc.Arbitrary<DirectoryUser> {
  const domain = options.domain ?? "contoso.com";
  const id = options.id ?? fc.uuid({ version: 4 });
  const alias = options.alias ?? aliasOf;
  const home = external?.homeTenantId ?? fc.uuid({ version: 4 });
  return fc
    .record({
      id,
      attributes: userAttributes({ mode: "create", extensions: options.extensions ?? true }),
      hasMail: fc.boolean(),
      homeTenantId: home,
      synced: external?.synced === undefined ? fc.boolean() : fc.constant(external.synced),
    })
    .map(({ id: userId, attributes, hasMail, homeTenantId, synced }) => {
      const a = alias(userId);
      const isExternal = origin === "external";
      // An external user's UPN in this tenant has the Entra B2B form.
      const userPrincipalName = isExternal ? `${a}_fabrikam.com#EXT#@${domain}` : `${a}@${domain}`;
      const user: DirectoryUser = {
        id: userId,
        userPrincipalName,
        mail: hasMail ? `${a}@${isExternal ? "fabrikam.com" : domain}` : null,
        mailNickname: isExternal ? `${a}_fabrikam.com#EXT#` : a,
        displayName: attributes.displayName ?? a,
        givenName: attributes.givenName ?? null,
        surname: attributes.surname ?? null,
        jobTitle: attributes.jobTitle ?? null,
        department: attributes.department ?? null,
        companyName: attributes.companyName ?? null,
        employeeId: attributes.employeeId ?? null,
        officeLocation: attributes.officeLocation ?? null,
        streetAddress: attributes.streetAddress ?? null,
        city: attributes.city ?? null,
        state: attributes.state ?? null,
        postalCode: attributes.postalCode ?? null,
        country: attributes.country ?? null,
        businessPhones: attributes.businessPhones ?? [],
        mobilePhone: attributes.mobilePhone ?? null,
        preferredLanguage: attributes.preferredLanguage ?? null,
        accountEnabled: attributes.accountEnabled ?? true,
        userType,
        origin,
        homeTenantId: isExternal ? homeTenantId : null,
        alternativeSecurityId: isExternal && synced ? { tenantId: homeTenantId, userId: `${userId}-home` } : null,
        showInAddressList: attributes.showInAddressList ?? null,
        extensions: (attributes.extensions ?? {}) as DirectoryUser["extensions"],
        managerId: null,
        createdDateTime: null,
        deletedDateTime: null,
      };
      return user;
    });
}

/**
 * An internal member: a user who belongs to the tenant and may be synced (R2).
 * Valid for core's `DirectoryUser` schema.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(arbitraries.internalMember({ domain: "contoso.com" }), (u) => isEligibleForSync(u)));
 * ```
 */
export function internalMember(options: UserArbitraryOptions = {}): fc.Arbitrary<DirectoryUser> {
  return baseUser(options, "internal", "Member");
}

/**
 * An internal guest: belongs to the tenant but has userType `Guest`, so it is
 * never synced (R2).
 *
 * @example
 * ```ts
 * fc.assert(fc.property(arbitraries.guest(), (u) => !isEligibleForSync(u)));
 * ```
 */
export function guest(options: UserArbitraryOptions = {}): fc.Arbitrary<DirectoryUser> {
  return baseUser(options, "internal", "Guest");
}

/**
 * An external (B2B) user whose home is another tenant: `#EXT#` UPN, a
 * `homeTenantId`, Member or Guest, and (when `synced`) the
 * `alternativeSecurityId` sync stamps on the users it creates.
 *
 * @example
 * ```ts
 * const arb = arbitraries.external({ homeTenantId: fc.constant(sourceTenantId), synced: true });
 * ```
 */
export function external(options: ExternalUserArbitraryOptions = {}): fc.Arbitrary<DirectoryUser> {
  return fc.constantFrom<"Member" | "Guest">("Member", "Guest").chain((userType) => baseUser(options, "external", userType, options));
}

/**
 * Any user: mostly internal members, some internal guests and external users.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(arbitraries.user(), (u) => DirectoryUser.safeParse(u).success));
 * ```
 */
export function user(options: ExternalUserArbitraryOptions = {}): fc.Arbitrary<DirectoryUser> {
  return fc.oneof({ arbitrary: internalMember(options), weight: 6 }, { arbitrary: guest(options), weight: 1 }, { arbitrary: external(options), weight: 2 });
}
