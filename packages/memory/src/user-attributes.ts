import { EXTENSION_ATTRIBUTE_PATTERN, USER_STRING_ATTRIBUTES } from "@tenantsync/core";
import type { ConfigIssue, DirectoryUser, UserAttributes } from "@tenantsync/core";

const STRING_ATTRIBUTES: ReadonlySet<string> = new Set<string>(USER_STRING_ATTRIBUTES);
const READ_ONLY = new Set(["id", "origin", "homeTenantId", "alternativeSecurityId", "createdDateTime", "deletedDateTime"]);
const UPN_PATTERN = /^[^@\s]+@[^@\s]+$/;

/** Shared empty values: internal user records are never mutated in place, so these can be shared. */
export const EMPTY_PHONES: readonly string[] = Object.freeze([]);
export const EMPTY_EXTENSIONS: Readonly<Record<string, string | number | boolean | null>> = Object.freeze({});

/**
 * Checks an attribute bag written through `updateUser`/`createExternalUser`
 * (port or admin). Returns every problem found, with its path; empty when valid.
 * `mode: "create"` also requires displayName and userPrincipalName.
 */
export function checkUserAttributes(changes: UserAttributes, mode: "create" | "update"): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (changes === null || typeof changes !== "object" || Array.isArray(changes)) {
    return [{ path: [], message: "attributes must be an object" }];
  }
  const bag = changes as Record<string, unknown>;
  for (const key of Object.keys(bag)) {
    const value = bag[key];
    if (value === undefined) continue;
    if (STRING_ATTRIBUTES.has(key)) {
      if (value === null) {
        if (key === "userPrincipalName" || key === "displayName") issues.push({ path: [key], message: `${key} cannot be cleared` });
      } else if (typeof value !== "string") {
        issues.push({ path: [key], message: `must be a string or null, got ${typeof value}` });
      } else if (key === "displayName" && (value.length < 1 || value.length > 256)) {
        issues.push({ path: [key], message: "must be 1 to 256 characters" });
      } else if (key === "userPrincipalName" && !UPN_PATTERN.test(value)) {
        issues.push({ path: [key], message: `'${value}' must look like alias@domain` });
      }
      continue;
    }
    switch (key) {
      case "businessPhones":
        if (value !== null && !(Array.isArray(value) && value.every((p) => typeof p === "string"))) {
          issues.push({ path: [key], message: "must be an array of strings (or null to clear)" });
        }
        break;
      case "accountEnabled":
        if (typeof value !== "boolean") issues.push({ path: [key], message: "must be a boolean" });
        break;
      case "userType":
        if (value !== "Member" && value !== "Guest") issues.push({ path: [key], message: "must be 'Member' or 'Guest'" });
        break;
      case "showInAddressList":
        if (value !== null && typeof value !== "boolean") issues.push({ path: [key], message: "must be a boolean or null" });
        break;
      case "extensions":
        if (value === null || typeof value !== "object" || Array.isArray(value)) {
          issues.push({ path: [key], message: "must be an object of extension_<appId>_<name> keys" });
          break;
        }
        for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
          if (!EXTENSION_ATTRIBUTE_PATTERN.test(name)) issues.push({ path: [key, name], message: "must be extension_<appId without hyphens>_<name>" });
          else if (v !== null && v !== undefined && typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") {
            issues.push({ path: [key, name], message: "must be a string, number, boolean or null" });
          }
        }
        break;
      case "managerId":
        // createExternalUser takes the new user's manager (capability managerOnCreate); later changes go through setManager.
        if (mode === "update") issues.push({ path: [key], message: "the manager is a reference: set it with setManager" });
        else if (value !== null && (typeof value !== "string" || value === "")) issues.push({ path: [key], message: "must be the id of a live user of this tenant, or null" });
        break;
      default:
        issues.push({ path: [key], message: READ_ONLY.has(key) ? "cannot be written" : "is not a user attribute" });
    }
  }
  if (mode === "create") {
    if (typeof bag.displayName !== "string") issues.push({ path: ["displayName"], message: "is required" });
    if (typeof bag.userPrincipalName !== "string") issues.push({ path: ["userPrincipalName"], message: "is required" });
  }
  return issues;
}

/**
 * Returns a new user record with `changes` applied (the input is not
 * modified). A `null` clears a value; `extensions` are merged key by key and a
 * `null` extension value removes that key; `businessPhones: null` clears the list.
 * Returns the same object when nothing changes. Assumes `changes` passed
 * {@link checkUserAttributes}.
 */
export function applyUserAttributes(user: DirectoryUser, changes: UserAttributes): DirectoryUser {
  // Hot path (every update): no closures; copies the record once, on the first real change.
  let next: Record<string, unknown> | null = null;
  const bag = changes as Record<string, unknown>;
  for (const key of Object.keys(bag)) {
    const value = bag[key];
    if (value === undefined) continue;
    if (key === "businessPhones") {
      const phones = (value as string[] | null) ?? EMPTY_PHONES;
      if (!sameStrings(user.businessPhones, phones)) {
        next ??= { ...user };
        next[key] = phones.length === 0 ? EMPTY_PHONES : [...phones];
      }
    } else if (key === "extensions") {
      const merged: Record<string, string | number | boolean | null> = { ...user.extensions };
      let changed = false;
      for (const [name, v] of Object.entries(value as Record<string, string | number | boolean | null | undefined>)) {
        if (v === undefined) continue;
        if (v === null) {
          if (name in merged) {
            delete merged[name];
            changed = true;
          }
        } else if (merged[name] !== v) {
          merged[name] = v;
          changed = true;
        }
      }
      if (changed) {
        next ??= { ...user };
        next[key] = Object.keys(merged).length === 0 ? EMPTY_EXTENSIONS : merged;
      }
    } else if ((user as unknown as Record<string, unknown>)[key] !== value) {
      next ??= { ...user };
      next[key] = value;
    }
  }
  return (next as DirectoryUser | null) ?? user;
}

/**
 * Writes validated attributes into a user record that was just built and is
 * not shared yet (creation path: no copy, no change detection).
 */
export function assignNewUserAttributes(user: DirectoryUser, changes: UserAttributes): void {
  const target = user as unknown as Record<string, unknown>;
  const bag = changes as Record<string, unknown>;
  for (const key of Object.keys(bag)) {
    const value = bag[key];
    if (value === undefined) continue;
    if (key === "businessPhones") {
      const phones = value as string[] | null;
      user.businessPhones = phones === null || phones.length === 0 ? (EMPTY_PHONES as string[]) : [...phones];
    } else if (key === "extensions") {
      const extensions: Record<string, string | number | boolean | null> = {};
      let any = false;
      for (const [name, v] of Object.entries(value as Record<string, string | number | boolean | null | undefined>)) {
        if (v === undefined || v === null) continue;
        extensions[name] = v;
        any = true;
      }
      user.extensions = any ? extensions : (EMPTY_EXTENSIONS as Record<string, string | number | boolean | null>);
    } else {
      target[key] = value;
    }
  }
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * A copy of a stored user that the caller may change freely (shallow copies of
 * the nested array and objects; cheap enough for a million users).
 */
export function copyUser(user: DirectoryUser): DirectoryUser {
  return {
    ...user,
    businessPhones: user.businessPhones.length === 0 ? [] : [...user.businessPhones],
    extensions: { ...user.extensions },
    alternativeSecurityId: user.alternativeSecurityId === null ? null : { ...user.alternativeSecurityId },
  };
}

/** A user record with every field at its default, for building new users without zod on hot paths. */
export function blankUser(id: string, userPrincipalName: string, displayName: string): DirectoryUser {
  return {
    id,
    userPrincipalName,
    mail: null,
    mailNickname: null,
    displayName,
    givenName: null,
    surname: null,
    jobTitle: null,
    department: null,
    companyName: null,
    employeeId: null,
    officeLocation: null,
    streetAddress: null,
    city: null,
    state: null,
    postalCode: null,
    country: null,
    businessPhones: EMPTY_PHONES as string[],
    mobilePhone: null,
    preferredLanguage: null,
    accountEnabled: true,
    userType: "Member",
    origin: "internal",
    homeTenantId: null,
    alternativeSecurityId: null,
    showInAddressList: null,
    extensions: EMPTY_EXTENSIONS as Record<string, string | number | boolean | null>,
    managerId: null,
    createdDateTime: null,
    deletedDateTime: null,
  };
}
