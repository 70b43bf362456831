import { ConfigError, type ConfigIssue } from "../errors/errors.ts";
import { zodIssuesToConfigIssues } from "../model/parse.ts";
import { AttributeMappingSource, FlowType, type AttributeMapping, type ScopingFilter, type ScopingFilterGroup } from "../model/sync-job-config.ts";
import type { UserType } from "../model/user.ts";
import { canonicalScopingOperator } from "../scoping/scoping-operators.ts";
import { defaultMappings } from "./default-mappings.ts";
import { expressionToEntraSource } from "./expression-bridge.ts";

type Path = Array<string | number>;

/** What {@link importEntraSchema} returns: the parts of a job configuration an Entra schema defines. */
export interface ImportedEntraSchema {
  attributeMappings: AttributeMapping[];
  scopingFilter: ScopingFilter;
}

/** The job configuration parts {@link exportEntraSchema} writes. */
export interface EntraSchemaExportInput {
  /** The mappings; `null` or absent exports the default set. */
  attributeMappings?: readonly AttributeMapping[] | null | undefined;
  scopingFilter?: ScopingFilter | null | undefined;
  /** userType of the default set when `attributeMappings` is null; default `Member`. */
  userType?: UserType | undefined;
}

/** An Entra `attributeMapping` as {@link exportEntraSchema} writes it. */
export interface EntraAttributeMapping {
  defaultValue: string | null;
  exportMissingReferences: boolean;
  flowBehavior: "FlowWhenChanged" | "FlowAlways";
  flowType: FlowType;
  matchingPriority: number;
  source: AttributeMappingSource;
  targetAttributeName: string;
}

/** An Entra `filterGroup`. */
export interface EntraFilterGroup {
  name: string;
  clauses: Array<{ operatorName: string; sourceOperandName: string; targetOperand: { values: string[] } }>;
}

/** An Entra `objectMapping` of users, as {@link exportEntraSchema} writes it. */
export interface EntraObjectMapping {
  attributeMappings: EntraAttributeMapping[];
  enabled: boolean;
  flowTypes: string;
  metadata: Array<{ key: string; value: string }>;
  name: string;
  scope: { groups: EntraFilterGroup[]; inputFilterGroups: EntraFilterGroup[]; categoryFilterGroups: EntraFilterGroup[] } | null;
  sourceObjectName: string;
  targetObjectName: string;
}

/** An Entra `synchronizationSchema` as {@link exportEntraSchema} writes it: one rule with the user object mapping. */
export interface EntraSynchronizationSchema {
  synchronizationRules: Array<{
    editable: boolean;
    id: string;
    metadata: Array<{ key: string; value: string }>;
    name: string;
    objectMappings: EntraObjectMapping[];
    priority: number;
    sourceDirectoryName: string;
    targetDirectoryName: string;
  }>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isUserMapping(value: unknown): boolean {
  return isRecord(value) && typeof value.sourceObjectName === "string" && value.sourceObjectName.toLowerCase() === "user";
}

/** Finds the user object mapping in a schema, a rule, or a bare object mapping. */
function findUserObjectMapping(json: unknown, issues: ConfigIssue[]): { mapping: Record<string, unknown>; path: Path } | null {
  if (!isRecord(json)) {
    issues.push({ path: [], message: "expected an Entra synchronizationSchema, synchronizationRule or objectMapping (a JSON object)" });
    return null;
  }
  if (Array.isArray(json.synchronizationRules)) {
    const rules = json.synchronizationRules as unknown[];
    for (let r = 0; r < rules.length; r++) {
      const rule = rules[r];
      if (!isRecord(rule) || !Array.isArray(rule.objectMappings)) continue;
      const maps = rule.objectMappings as unknown[];
      // Prefer an enabled user mapping; fall back to any user mapping.
      const enabled = maps.findIndex((m) => isUserMapping(m) && (m as Record<string, unknown>).enabled !== false);
      const any = enabled >= 0 ? enabled : maps.findIndex(isUserMapping);
      if (any >= 0) return { mapping: maps[any] as Record<string, unknown>, path: ["synchronizationRules", r, "objectMappings", any] };
    }
    issues.push({ path: ["synchronizationRules"], message: "no objectMapping whose sourceObjectName is 'User' was found in any synchronization rule" });
    return null;
  }
  if (Array.isArray(json.objectMappings)) {
    const maps = json.objectMappings as unknown[];
    const index = maps.findIndex(isUserMapping);
    if (index >= 0) return { mapping: maps[index] as Record<string, unknown>, path: ["objectMappings", index] };
    issues.push({ path: ["objectMappings"], message: "no objectMapping whose sourceObjectName is 'User' was found" });
    return null;
  }
  if (Array.isArray(json.attributeMappings)) {
    if (json.sourceObjectName !== undefined && !isUserMapping(json)) {
      issues.push({ path: ["sourceObjectName"], message: `this objectMapping maps '${String(json.sourceObjectName)}' objects; tenantsync imports the mapping of 'User' objects` });
      return null;
    }
    return { mapping: json, path: [] };
  }
  issues.push({ path: [], message: "expected an Entra synchronizationSchema (with synchronizationRules), a synchronizationRule (with objectMappings) or an objectMapping (with attributeMappings)" });
  return null;
}

function importMapping(raw: unknown, path: Path, issues: ConfigIssue[]): AttributeMapping | null {
  if (!isRecord(raw)) {
    issues.push({ path, message: "an attributeMapping must be an object" });
    return null;
  }
  let ok = true;
  const target = raw.targetAttributeName;
  if (typeof target !== "string" || target.length === 0) {
    issues.push({ path: [...path, "targetAttributeName"], message: "targetAttributeName must be a non-empty string" });
    ok = false;
  }
  let flowType: FlowType = "Always";
  if (raw.flowType !== undefined && raw.flowType !== null) {
    const found = typeof raw.flowType === "string" ? FlowType.options.find((f) => f.toLowerCase() === (raw.flowType as string).toLowerCase()) : undefined;
    if (found === undefined) {
      issues.push({ path: [...path, "flowType"], message: `unknown flowType ${JSON.stringify(raw.flowType)}; use one of ${FlowType.options.join(", ")}` });
      ok = false;
    } else flowType = found;
  }
  let defaultValue: string | null = null;
  if (raw.defaultValue !== undefined && raw.defaultValue !== null) {
    if (typeof raw.defaultValue !== "string") {
      issues.push({ path: [...path, "defaultValue"], message: "defaultValue must be a string or null" });
      ok = false;
    } else defaultValue = raw.defaultValue;
  }
  let matchingPriority = 0;
  if (raw.matchingPriority !== undefined && raw.matchingPriority !== null) {
    if (typeof raw.matchingPriority !== "number" || !Number.isInteger(raw.matchingPriority) || raw.matchingPriority < 0) {
      issues.push({ path: [...path, "matchingPriority"], message: "matchingPriority must be an integer ≥ 0" });
      ok = false;
    } else matchingPriority = raw.matchingPriority;
  }
  let source: AttributeMapping["source"] | null = null;
  if (raw.source === undefined || raw.source === null) {
    // Entra allows a mapping without a source whose value is its default value.
    // tenantsync applies defaults only at creation, so the equivalent is a
    // constant written only when the user is created.
    if (defaultValue === null) {
      issues.push({ path: [...path, "source"], message: "this mapping has neither a source nor a defaultValue; give it a source or remove it" });
      ok = false;
    } else {
      source = { type: "Constant", name: defaultValue };
      flowType = "ObjectAddOnly";
      defaultValue = null;
    }
  } else {
    const parsed = AttributeMappingSource.safeParse(raw.source);
    if (!parsed.success) {
      issues.push(...zodIssuesToConfigIssues(parsed.error.issues, [...path, "source"]));
      ok = false;
    } else source = stripSource(parsed.data);
  }
  if (!ok || source === null) return null;
  return { targetAttributeName: target as string, source, flowType, defaultValue, matchingPriority, caseInsensitive: false };
}

/** A source tree with only the fields of the model, in a stable key order. */
function stripSource(source: AttributeMappingSource): AttributeMappingSource {
  const out: AttributeMappingSource = { type: source.type, name: source.name };
  if (source.expression !== undefined) out.expression = source.expression;
  if (source.parameters !== undefined) out.parameters = source.parameters.map((p) => ({ key: p.key, value: stripSource(p.value) }));
  return out;
}

function importGroups(raw: unknown, path: Path, issues: ConfigIssue[]): ScopingFilterGroup[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    issues.push({ path, message: "filter groups must be an array" });
    return [];
  }
  const groups: ScopingFilterGroup[] = [];
  raw.forEach((group: unknown, gi) => {
    const gPath = [...path, gi];
    if (!isRecord(group)) {
      issues.push({ path: gPath, message: "a filterGroup must be an object" });
      return;
    }
    const name = typeof group.name === "string" && group.name.length > 0 ? group.name : null;
    if (name === null) issues.push({ path: [...gPath, "name"], message: "a filterGroup needs a non-empty name" });
    if (!Array.isArray(group.clauses)) {
      issues.push({ path: [...gPath, "clauses"], message: "clauses must be an array" });
      return;
    }
    const clauses: ScopingFilterGroup["clauses"] = [];
    (group.clauses as unknown[]).forEach((clause, ci) => {
      const cPath = [...gPath, "clauses", ci];
      if (!isRecord(clause)) {
        issues.push({ path: cPath, message: "a filterClause must be an object" });
        return;
      }
      let ok = true;
      if (typeof clause.sourceOperandName !== "string" || clause.sourceOperandName.length === 0) {
        issues.push({ path: [...cPath, "sourceOperandName"], message: "sourceOperandName must be a non-empty string" });
        ok = false;
      }
      const operator = typeof clause.operatorName === "string" ? canonicalScopingOperator(clause.operatorName) : null;
      if (operator === null) {
        issues.push({ path: [...cPath, "operatorName"], message: `unknown scoping operator ${JSON.stringify(clause.operatorName)}` });
        ok = false;
      }
      let values: string[] = [];
      const operand = clause.targetOperand;
      if (operand !== undefined && operand !== null) {
        if (!isRecord(operand) || (operand.values !== undefined && operand.values !== null && (!Array.isArray(operand.values) || !operand.values.every((v) => typeof v === "string")))) {
          issues.push({ path: [...cPath, "targetOperand", "values"], message: "targetOperand.values must be an array of strings" });
          ok = false;
        } else values = [...((operand.values as string[] | undefined | null) ?? [])];
      }
      if (ok) clauses.push({ sourceOperandName: clause.sourceOperandName as string, operatorName: operator as string, targetOperand: { values } });
    });
    if (name !== null) groups.push({ name, clauses });
  });
  return groups;
}

/**
 * Reads the user mapping of an Entra synchronization schema — the JSON of
 * `GET /servicePrincipals/{id}/synchronization/jobs/{jobId}/schema` — into
 * tenantsync's configuration: `attributeMappings` (with their `source`
 * trees as Entra wrote them, `flowType`, `matchingPriority`, `defaultValue`)
 * and `scopingFilter` (the object mapping's `scope.groups`). Also accepts a
 * single `synchronizationRule` or a bare `objectMapping`.
 *
 * Differences, on purpose: a mapping without a source (Entra then writes its
 * `defaultValue`) becomes a constant with `flowType: "ObjectAddOnly"`, since
 * tenantsync applies default values only at creation; `flowBehavior` and
 * `exportMissingReferences` are ignored; operator names are rewritten in
 * their canonical spelling. `scope.inputFilterGroups` and
 * `scope.categoryFilterGroups` (experimental in Entra) are refused when not
 * empty, rather than silently dropped.
 *
 * Throws `ConfigError` listing every problem with its JSON path in the input.
 *
 * @example
 * ```ts
 * const schema = JSON.parse(readFileSync("schema.json", "utf8"));
 * const { attributeMappings, scopingFilter } = importEntraSchema(schema);
 * const config = parseSyncJobConfig({ sourceTenantId, targetTenantId, attributeMappings, scopingFilter });
 * ```
 */
export function importEntraSchema(json: unknown): ImportedEntraSchema {
  const issues: ConfigIssue[] = [];
  const found = findUserObjectMapping(json, issues);
  if (found === null) throw new ConfigError(issues, "Entra synchronization schema");
  const { mapping, path } = found;

  const attributeMappings: AttributeMapping[] = [];
  const rawMappings = mapping.attributeMappings;
  if (!Array.isArray(rawMappings)) {
    issues.push({ path: [...path, "attributeMappings"], message: "attributeMappings must be an array" });
  } else {
    const seen = new Map<string, number>();
    rawMappings.forEach((raw: unknown, i) => {
      const m = importMapping(raw, [...path, "attributeMappings", i], issues);
      if (m === null) return;
      const prev = seen.get(m.targetAttributeName);
      if (prev !== undefined) {
        issues.push({ path: [...path, "attributeMappings", i, "targetAttributeName"], message: `'${m.targetAttributeName}' is already mapped by attributeMappings[${prev}]` });
        return;
      }
      seen.set(m.targetAttributeName, i);
      attributeMappings.push(m);
    });
  }

  let groups: ScopingFilterGroup[] = [];
  const scope = mapping.scope;
  if (scope !== undefined && scope !== null) {
    if (!isRecord(scope)) {
      issues.push({ path: [...path, "scope"], message: "scope must be an Entra filter object or null" });
    } else {
      groups = importGroups(scope.groups, [...path, "scope", "groups"], issues);
      for (const other of ["inputFilterGroups", "categoryFilterGroups"] as const) {
        const value = scope[other];
        if (Array.isArray(value) && value.length > 0) {
          issues.push({ path: [...path, "scope", other], message: `${other} is an experimental Entra filter tenantsync does not support; move its groups into scope.groups (or remove them)` });
        }
      }
    }
  }
  if (issues.length > 0) throw new ConfigError(issues, "Entra synchronization schema");
  return { attributeMappings, scopingFilter: { groups } };
}

/**
 * Writes tenantsync's mappings and scoping filter as an Entra
 * `synchronizationSchema` (one rule, one `User → User` object mapping), the
 * shape {@link importEntraSchema} reads and Entra's schema API takes.
 * Expression-text sources are written as Entra `attributeMappingSource`
 * trees. `caseInsensitive` has no Entra counterpart and is not written.
 * Importing the result gives the same mappings and filter back.
 *
 * @example
 * ```ts
 * const schema = exportEntraSchema({ attributeMappings: null, scopingFilter: { groups: [] } });
 * writeFileSync("schema.json", JSON.stringify(schema, null, 2));
 * ```
 */
export function exportEntraSchema(config: EntraSchemaExportInput): EntraSynchronizationSchema {
  const mappings = config.attributeMappings ?? defaultMappings({ userType: config.userType });
  const groups = (config.scopingFilter?.groups ?? []).map(
    (g): EntraFilterGroup => ({
      name: g.name,
      clauses: g.clauses.map((c) => ({
        operatorName: canonicalScopingOperator(c.operatorName) ?? c.operatorName,
        sourceOperandName: c.sourceOperandName,
        targetOperand: { values: [...c.targetOperand.values] },
      })),
    }),
  );
  return {
    synchronizationRules: [
      {
        editable: true,
        id: "tenantsync.users",
        metadata: [],
        name: "USER_OUTBOUND_USER",
        objectMappings: [
          {
            attributeMappings: mappings.map(
              (m): EntraAttributeMapping => ({
                defaultValue: m.defaultValue ?? null,
                exportMissingReferences: false,
                flowBehavior: "FlowWhenChanged",
                flowType: m.flowType ?? "Always",
                matchingPriority: m.matchingPriority ?? 0,
                source: typeof m.source === "string" ? expressionToEntraSource(m.source) : stripSource(m.source),
                targetAttributeName: m.targetAttributeName,
              }),
            ),
            enabled: true,
            flowTypes: "Add, Update, Delete",
            metadata: [],
            name: "Provision Microsoft Entra ID Users",
            scope: groups.length === 0 ? null : { groups, inputFilterGroups: [], categoryFilterGroups: [] },
            sourceObjectName: "User",
            targetObjectName: "User",
          },
        ],
        priority: 1,
        sourceDirectoryName: "Azure Active Directory",
        targetDirectoryName: "Azure Active Directory (target tenant)",
      },
    ],
  };
}
