import fc from "fast-check";
import type { AttributeMappingInput, SyncJobConfigInput } from "@tenantsync/core";

/**
 * Options of {@link jobConfig}.
 *
 * @example
 * ```ts
 * const options: JobConfigArbitraryOptions = { sourceTenantId: source.id, targetTenantId: target.id, scopeModes: ["all"], mappings: "default" };
 * ```
 */
export interface JobConfigArbitraryOptions {
  /** Default: a random v4 GUID. */
  sourceTenantId?: fc.Arbitrary<string> | string;
  /** Default: a random v4 GUID different from the source. */
  targetTenantId?: fc.Arbitrary<string> | string;
  /** Group ids an `assigned` scope may list. Default none. */
  groupIds?: readonly string[];
  /** User ids an `assigned` scope may list. Default none. */
  userIds?: readonly string[];
  /** Scope modes to draw from. Default both. */
  scopeModes?: ReadonlyArray<"all" | "assigned">;
  /** `default` (null: Entra's default set), `custom` (an explicit list), or `any`. Default `any`. */
  mappings?: "default" | "custom" | "any";
  /** Draw scoping filters (else the filter is empty). Default true. */
  scopingFilter?: boolean;
  /**
   * The target's `DirectoryCapabilities.writableAttributes`: when a list, only
   * custom mappings are drawn and they map only attributes the target can write
   * (the engine's own targets `alternativeSecurityIds`, `IsSoftDeleted`,
   * `userType` and `manager` stay).
   */
  writableAttributes?: readonly string[] | null;
}

const ENGINE_TARGETS = new Set(["alternativeSecurityIds", "IsSoftDeleted", "userType", "manager"]);

const DEPARTMENTS = ["Sales", "Engineering", "Finance", "Legal"];

/** A scoping clause that every source attribute set can evaluate. */
interface Clause {
  sourceOperandName: string;
  operatorName: string;
  targetOperand: { values: string[] };
}
const clause: fc.Arbitrary<Clause> = fc.oneof(
  fc.constantFrom(...DEPARTMENTS).map((d) => ({ sourceOperandName: "department", operatorName: "EQUALS", targetOperand: { values: [d] } })),
  fc.constantFrom(...DEPARTMENTS).map((d) => ({ sourceOperandName: "department", operatorName: "NOT EQUALS", targetOperand: { values: [d] } })),
  fc.constant<Clause>({ sourceOperandName: "accountEnabled", operatorName: "IS TRUE", targetOperand: { values: [] } }),
  fc.constant<Clause>({ sourceOperandName: "jobTitle", operatorName: "IS NOT NULL", targetOperand: { values: [] } }),
  fc.constant<Clause>({ sourceOperandName: "city", operatorName: "IS NULL", targetOperand: { values: [] } }),
  fc.constantFrom("Seattle", "Dublin").map((c) => ({ sourceOperandName: "city", operatorName: "NOT EQUALS", targetOperand: { values: [c] } })),
);

const OPTIONAL_DIRECT = ["givenName", "surname", "jobTitle", "department", "companyName", "employeeId", "officeLocation", "city", "country", "preferredLanguage", "mobilePhone", "mail"] as const;

const direct = (name: string, flowType: "Always" | "ObjectAddOnly" = "Always"): AttributeMappingInput => ({ targetAttributeName: name, source: `[${name}]`, flowType });

/**
 * A custom mapping list that a target can always act on: the matching
 * mapping, the lifecycle mappings, displayName and userPrincipalName (needed
 * to create a user), the userType constant, and a random subset of profile
 * attributes, some only written at creation.
 */
const customMappings: fc.Arbitrary<AttributeMappingInput[]> = fc
  .record({
    extra: fc.subarray([...OPTIONAL_DIRECT]),
    addOnly: fc.subarray([...OPTIONAL_DIRECT], { maxLength: 3 }),
    manager: fc.boolean(),
    userType: fc.constantFrom("Member", "Guest"),
  })
  .map(({ extra, addOnly, manager, userType }) => {
    const list: AttributeMappingInput[] = [
      { targetAttributeName: "alternativeSecurityIds", source: "AltSecIdFromNetId([netId])", matchingPriority: 1 },
      direct("IsSoftDeleted"),
      direct("accountEnabled"),
      direct("displayName"),
      direct("userPrincipalName"),
      direct("mailNickname"),
      ...extra.map((name) => direct(name, addOnly.includes(name) ? "ObjectAddOnly" : "Always")),
      { targetAttributeName: "userType", source: `"${userType}"`, flowType: "ObjectAddOnly" },
    ];
    if (manager) list.push(direct("manager"));
    return list;
  });

/**
 * A valid sync job configuration (it parses with core's `parseSyncJobConfig`):
 * scope `all` or `assigned` (over the groups and users you pass), an
 * optional scoping filter of one or two clause groups, and either the
 * default mappings or a custom list that still lets a target create users.
 *
 * @example
 * ```ts
 * const arb = arbitraries.jobConfig({ sourceTenantId: source.id, targetTenantId: target.id, groupIds: ["g1", "g2"] });
 * fc.assert(fc.property(arb, (config) => parseSyncJobConfig(config) !== null));
 * ```
 */
export function jobConfig(options: JobConfigArbitraryOptions = {}): fc.Arbitrary<SyncJobConfigInput> {
  const asArb = (v: fc.Arbitrary<string> | string | undefined): fc.Arbitrary<string> => (v === undefined ? fc.uuid({ version: 4 }) : typeof v === "string" ? fc.constant(v) : v);
  const tenants = fc
    .tuple(asArb(options.sourceTenantId), asArb(options.targetTenantId))
    .filter(([s, t]) => s.toLowerCase() !== t.toLowerCase());
  const modes = options.scopeModes ?? ["all", "assigned"];
  type Scope = NonNullable<SyncJobConfigInput["scope"]>;
  const scope: fc.Arbitrary<Scope> = fc.constantFrom(...modes).chain((mode): fc.Arbitrary<Scope> =>
    mode === "all"
      ? fc.constant({ mode: "all" as const })
      : fc.record({
          mode: fc.constant("assigned" as const),
          groups: fc.subarray([...(options.groupIds ?? [])]),
          users: fc.subarray([...(options.userIds ?? [])]),
          expandNestedGroups: fc.boolean(),
        }),
  );
  type Filter = NonNullable<SyncJobConfigInput["scopingFilter"]>;
  const filter: fc.Arbitrary<Filter> =
    options.scopingFilter === false
      ? fc.constant<Filter>({ groups: [] })
      : fc.oneof(
          { arbitrary: fc.constant<Filter>({ groups: [] }), weight: 3 },
          {
            arbitrary: fc.array(fc.array(clause, { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 2 }).map((groups): Filter => ({
              groups: groups.map((clauses, i) => ({ name: `group ${i + 1}`, clauses })),
            })),
            weight: 1,
          },
        );
  const writable = options.writableAttributes ? new Set(options.writableAttributes) : null;
  const which = writable ? "custom" : (options.mappings ?? "any");
  const custom = writable ? customMappings.map((list) => list.filter((m) => ENGINE_TARGETS.has(m.targetAttributeName) || writable.has(m.targetAttributeName))) : customMappings;
  const mappings: fc.Arbitrary<AttributeMappingInput[] | null> = which === "default" ? fc.constant(null) : which === "custom" ? custom : fc.oneof(fc.constant(null), custom);
  return fc.record({ tenants, scope, filter, mappings, userType: fc.constantFrom<"Member" | "Guest">("Member", "Guest") }).map(({ tenants: [sourceTenantId, targetTenantId], scope: s, filter: f, mappings: m, userType }) => ({
    sourceTenantId,
    targetTenantId,
    scope: s,
    scopingFilter: f,
    attributeMappings: m,
    userType,
    // Tests run many cycles back to back: never let the deletion guard hold a random scenario.
    accidentalDeletionPrevention: { enabled: false },
  }));
}
