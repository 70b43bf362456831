import { z } from "zod";
import { parseDuration } from "../util/duration.ts";
import { parseWith } from "./parse.ts";
import { Guid } from "./tenant.ts";
import { UserType } from "./user.ts";

/**
 * The source of an attribute mapping in Entra's JSON form
 * (`attributeMappingSource`): an attribute, a constant, or a function whose
 * parameters are themselves sources.
 *
 * @example
 * ```ts
 * const src: AttributeMappingSource = { type: "Function", name: "ToLower", parameters: [{ key: "source", value: { type: "Attribute", name: "mail" } }] };
 * ```
 */
export interface AttributeMappingSource {
  type: "Attribute" | "Constant" | "Function";
  name: string | null;
  expression?: string | null | undefined;
  parameters?: Array<{ key: string; value: AttributeMappingSource }> | undefined;
}

/** zod schema of {@link AttributeMappingSource}. */
export const AttributeMappingSource: z.ZodType<AttributeMappingSource> = z.lazy(() =>
  z.object({
    type: z.enum(["Attribute", "Constant", "Function"]),
    name: z.string().nullable(),
    expression: z.string().nullable().optional(),
    parameters: z.array(z.object({ key: z.string(), value: AttributeMappingSource })).optional(),
  }),
);

/** When a mapping writes: see MAPPINGS.md. */
export const FlowType = z.enum(["Always", "ObjectAddOnly", "AttributeAddOnly", "ValueAddOnly", "MultiValueAddOnly"]);
/** @see {@link FlowType} */
export type FlowType = z.infer<typeof FlowType>;

/**
 * One attribute mapping: what produces `targetAttributeName`. `source` is
 * expression text (`"ToLower([mail])"`) or Entra's JSON tree.
 *
 * @example
 * ```ts
 * const m: AttributeMappingInput = { targetAttributeName: "department", source: "[department]" };
 * ```
 */
export const AttributeMapping = z.object({
  targetAttributeName: z.string().min(1),
  source: z.union([z.string().min(1, "an expression cannot be empty"), AttributeMappingSource]),
  flowType: FlowType.default("Always"),
  /** Used when the source evaluates to null, only when the target user is created. */
  defaultValue: z.string().nullable().default(null),
  /** > 0 makes this a matching attribute; lower numbers are tried first. */
  matchingPriority: z.number().int().min(0).default(0),
  /** Compare old and new values without regard to case when deciding whether to write. */
  caseInsensitive: z.boolean().default(false),
});
/** @see {@link AttributeMapping} */
export type AttributeMapping = z.infer<typeof AttributeMapping>;
/** Input form of {@link AttributeMapping}. */
export type AttributeMappingInput = z.input<typeof AttributeMapping>;

/** One clause of a scoping filter, in Entra's JSON shape. */
export const ScopingClause = z.object({
  sourceOperandName: z.string().min(1),
  operatorName: z.string().min(1),
  targetOperand: z.object({ values: z.array(z.string()) }).default({ values: [] }),
});
/** @see {@link ScopingClause} */
export type ScopingClause = z.infer<typeof ScopingClause>;

/** A group of clauses; the group passes when all its clauses pass. */
export const ScopingFilterGroup = z.object({
  name: z.string().min(1),
  clauses: z.array(ScopingClause),
});
/** @see {@link ScopingFilterGroup} */
export type ScopingFilterGroup = z.infer<typeof ScopingFilterGroup>;

/** A scoping filter: a user passes when any group passes; no groups passes everyone. */
export const ScopingFilter = z.object({ groups: z.array(ScopingFilterGroup).default([]) });
/** @see {@link ScopingFilter} */
export type ScopingFilter = z.infer<typeof ScopingFilter>;

/** Who is assigned to a job: listed users and groups, or every eligible user. */
export const JobScope = z.discriminatedUnion("mode", [
  z.object({
    mode: z.literal("assigned"),
    users: z.array(z.string().min(1)).default([]),
    groups: z.array(z.string().min(1)).default([]),
    /** Entra assigns direct members only; set true to include members of nested groups. */
    expandNestedGroups: z.boolean().default(false),
  }),
  z.object({ mode: z.literal("all") }),
]);
/** @see {@link JobScope} */
export type JobScope = z.infer<typeof JobScope>;

const IsoDuration = z.string().refine((s) => {
  const ms = parseDuration(s);
  return ms !== null && ms >= 1000;
}, "must be an ISO 8601 duration of at least one second, such as PT40M");

/**
 * A sync job's configuration: plain JSON, validated by {@link parseSyncJobConfig}.
 * Names follow Entra's synchronization schema where one exists.
 *
 * @example
 * ```ts
 * const config = parseSyncJobConfig({
 *   sourceTenantId: "11111111-1111-4111-8111-111111111111",
 *   targetTenantId: "22222222-2222-4222-8222-222222222222",
 *   scope: { mode: "assigned", groups: ["sales-group-id"] },
 * });
 * config.schedule.interval; // "PT40M"
 * ```
 */
export const SyncJobConfig = z
  .object({
    /** A stable id for the job; defaults to `<sourceTenantId>-><targetTenantId>`. */
    id: z.string().min(1).optional(),
    sourceTenantId: Guid,
    targetTenantId: Guid,
    scope: JobScope.default({ mode: "assigned", users: [], groups: [], expandNestedGroups: false }),
    scopingFilter: ScopingFilter.default({ groups: [] }),
    /** The mappings; `null` or absent means the default cross-tenant set. */
    attributeMappings: z.array(AttributeMapping).nullable().default(null),
    /** userType of users the job creates. */
    userType: UserType.default("Member"),
    schedule: z
      .object({
        interval: IsoDuration.default("PT40M"),
        /** `interval`: a cycle every interval; `changes`: also a cycle as soon as the source reports changes. */
        trigger: z.enum(["interval", "changes"]).default("interval"),
      })
      .default({ interval: "PT40M", trigger: "interval" }),
    accidentalDeletionPrevention: z
      .object({ enabled: z.boolean().default(true), deletionThreshold: z.number().int().min(1).default(500) })
      .default({ enabled: true, deletionThreshold: 500 }),
    options: z
      .object({
        /** **beyond** R4: allow a job across clouds, for adapters that reach both. */
        allowCrossCloud: z.boolean().default(false),
        /** How many users are written at once. */
        concurrency: z.number().int().min(1).max(256).default(8),
        /** Attempts per write inside one cycle for transient failures. */
        maxAttemptsPerCycle: z.number().int().min(1).max(20).default(3),
        /** Days a provisioning-log entry is kept. */
        logRetentionDays: z.number().int().min(1).default(30),
      })
      .default({ allowCrossCloud: false, concurrency: 8, maxAttemptsPerCycle: 3, logRetentionDays: 30 }),
  })
  .superRefine((config, ctx) => {
    if (config.sourceTenantId.toLowerCase() === config.targetTenantId.toLowerCase()) {
      ctx.addIssue({ code: "custom", path: ["targetTenantId"], message: "a job cannot sync a tenant into itself" });
    }
    const targets = new Map<string, number>();
    config.attributeMappings?.forEach((m, i) => {
      const prev = targets.get(m.targetAttributeName);
      if (prev !== undefined) {
        ctx.addIssue({ code: "custom", path: ["attributeMappings", i, "targetAttributeName"], message: `'${m.targetAttributeName}' is already mapped by attributeMappings[${prev}]` });
      } else targets.set(m.targetAttributeName, i);
    });
  });
/** @see {@link SyncJobConfig} */
export type SyncJobConfig = z.infer<typeof SyncJobConfig>;
/** Input form of {@link SyncJobConfig}: every defaulted field is optional. */
export type SyncJobConfigInput = z.input<typeof SyncJobConfig>;

/**
 * Validates a job configuration and fills its defaults. Throws `ConfigError`
 * listing every problem with its JSON path.
 *
 * @example
 * ```ts
 * parseSyncJobConfig({ sourceTenantId: "not-a-guid" }); // ConfigError: $.sourceTenantId: must be a GUID …, $.targetTenantId: …
 * ```
 */
export function parseSyncJobConfig(input: unknown): SyncJobConfig {
  return parseWith(SyncJobConfig, input, "sync job configuration");
}

/** The job id of a config: its `id`, or `<source>-><target>`. */
export function jobIdOf(config: Pick<SyncJobConfig, "id" | "sourceTenantId" | "targetTenantId">): string {
  return config.id ?? `${config.sourceTenantId}->${config.targetTenantId}`;
}

/**
 * The JSON Schema of a job configuration, for editors and for validating
 * config files outside TypeScript.
 *
 * @example
 * ```ts
 * writeFileSync("sync-job.schema.json", JSON.stringify(syncJobConfigJsonSchema(), null, 2));
 * ```
 */
export function syncJobConfigJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(SyncJobConfig, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
}
