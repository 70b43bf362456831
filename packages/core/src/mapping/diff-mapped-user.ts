import type { DirectoryUser, UserAttributes, UserType } from "../model/user.ts";
import { UPDATE_EXCLUDED_TARGETS, type CompiledMappings, type MappedUser } from "./compile-mappings.ts";

/**
 * What logs show instead of a value whose mapping uses `Redact` (Entra's
 * marker).
 *
 * @example
 * ```ts
 * modifiedProperties.map((p) => p.newValue); // ["[Redact]", "Sales", …]
 * ```
 */
export const REDACTED = "[Redact]";

/** One attribute an update changes, as logs show it. */
export interface ModifiedProperty {
  /** The target attribute name (as the mapping names it: `telephoneNumber`, `extension_…`). */
  name: string;
  oldValue: unknown;
  newValue: unknown;
}

/** What {@link diffMappedUser} returns. */
export interface MappedUserDiff {
  /** Exactly what the update writes, in DirectoryUser shape (`extensions` holds only the changed keys; `null` clears a value). */
  changes: UserAttributes;
  /** The changes as log lines, `[Redact]` for redacted attributes. */
  modifiedProperties: ModifiedProperty[];
}

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || value === "" || (Array.isArray(value) && value.length === 0);
}

function textOf(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : null;
  if (typeof value === "boolean") return value ? "True" : "False";
  return null;
}

function sameScalar(a: unknown, b: unknown, caseInsensitive: boolean): boolean {
  if (a === b) return true;
  if (typeof a === "boolean" || typeof b === "boolean") return false;
  const ta = textOf(a);
  const tb = textOf(b);
  if (ta === null || tb === null) return false;
  return caseInsensitive ? ta.toUpperCase() === tb.toUpperCase() : ta === tb;
}

/**
 * What an UPDATE of `target` must write so that it carries what the mappings
 * produce (R11, R19):
 *
 * - `Always`: the value, when it differs from the target's (case-sensitive
 *   unless the mapping is `caseInsensitive`). A null result writes nothing
 *   (it does not clear); an empty string clears a value the target has.
 *   Default values are never used on update.
 * - `AttributeAddOnly`: only when the target has no value.
 * - `ValueAddOnly` / `MultiValueAddOnly`: on a multi-valued attribute, adds
 *   the missing values and never removes one; on a single-valued attribute,
 *   writes only when the target has no value (an add, never a replacement).
 * - `ObjectAddOnly`: never.
 *
 * Never written by an update: `userPrincipalName` and `mailNickname` (the
 * target holds its own derived form, `alias_domain#EXT#@target`, which
 * cannot be compared with the source value), `alternativeSecurityIds`,
 * `IsSoftDeleted`, `manager` (the engine resolves it through links, R20).
 * `userType` is written only when its mapping is `Always` (R10).
 *
 * @example
 * ```ts
 * const { changes, modifiedProperties } = diffMappedUser(compiled.evaluate(source), targetUser, compiled);
 * if (Object.keys(changes).length > 0) await target.updateUser(targetUser.id, changes, { sourceTenantId });
 * ```
 */
export function diffMappedUser(mapped: MappedUser, target: DirectoryUser, compiled: CompiledMappings): MappedUserDiff {
  const changes: UserAttributes = {};
  const modifiedProperties: ModifiedProperty[] = [];
  let extensions: Record<string, string | number | boolean | null> | null = null;

  for (const m of compiled.mappings) {
    const name = m.targetAttributeName;
    if (m.flowType === "ObjectAddOnly" || UPDATE_EXCLUDED_TARGETS.has(name)) continue;
    if (m.targetKind === "special" && !(name === "userType" && m.flowType === "Always")) continue;
    if (!mapped.values.has(name)) continue; // IGNORE_FLOW
    const value = mapped.values.get(name);
    if (value === null || value === undefined) continue; // null writes nothing

    let current: unknown;
    switch (m.targetKind) {
      case "telephoneNumber":
        current = target.businessPhones?.[0] ?? null;
        break;
      case "multi":
        current = target.businessPhones ?? [];
        break;
      case "extension":
        current = target.extensions?.[name] ?? null;
        break;
      default:
        current = (target as Record<string, unknown>)[name] ?? null;
    }

    const multiValued = m.targetKind === "multi";
    const addOnly = m.flowType === "AttributeAddOnly" || ((m.flowType === "ValueAddOnly" || m.flowType === "MultiValueAddOnly") && !multiValued);
    let next: unknown;
    let write = false;
    if (multiValued) {
      const want = value as string[];
      const have = (current as string[]).filter((v) => !isEmpty(v));
      if (m.flowType === "Always") {
        write = want.length !== have.length || want.some((v, i) => !sameScalar(v, have[i], m.caseInsensitive));
        next = want;
      } else if (m.flowType === "AttributeAddOnly") {
        write = have.length === 0 && want.length > 0;
        next = want;
      } else {
        const missing = want.filter((v) => !have.some((h) => sameScalar(h, v, m.caseInsensitive)));
        write = missing.length > 0;
        next = [...have, ...missing];
      }
    } else if (addOnly) {
      write = isEmpty(current) && !isEmpty(value);
      next = value;
    } else if (isEmpty(value)) {
      // An empty result clears the attribute.
      write = !isEmpty(current);
      next = null;
    } else {
      write = !sameScalar(current, value, m.caseInsensitive);
      next = value;
    }
    if (!write) continue;

    switch (m.targetKind) {
      case "telephoneNumber":
        changes.businessPhones = next === null ? [] : [next as string];
        break;
      case "multi":
        changes.businessPhones = next as string[];
        break;
      case "extension":
        (extensions ??= {})[name] = next as string | number | boolean | null;
        break;
      case "special":
        changes.userType = next as UserType;
        break;
      default:
        (changes as Record<string, unknown>)[name] = next;
    }
    const redact = mapped.redacted.has(name);
    modifiedProperties.push({ name, oldValue: redact ? REDACTED : current, newValue: redact ? REDACTED : next });
  }
  if (extensions !== null) changes.extensions = extensions;
  return { changes, modifiedProperties };
}

/**
 * The userType a target user gets (R8, R10): for a create, what the mapping
 * produces (Member by default); for an existing user that is matched or
 * updated, its current type unless the `userType` mapping flows `Always` —
 * so an existing B2B guest stays a Guest.
 *
 * @example
 * ```ts
 * resolveUserType(mapped, null);           // "Member"
 * resolveUserType(mapped, existingGuest);  // "Guest" (unless the userType mapping is Always)
 * ```
 */
export function resolveUserType(mapped: Pick<MappedUser, "userType">, existingTarget: Pick<DirectoryUser, "userType"> | null): UserType {
  if (existingTarget === null) return mapped.userType.value;
  return mapped.userType.flowType === "Always" ? mapped.userType.value : existingTarget.userType;
}
