import { describe, expect, expectTypeOf, it } from "vitest";
import * as core from "../src/index.ts";
import * as port from "../src/port.ts";
import type { CompiledExpression, DirectoryPort, StateStore, SyncJob } from "../src/index.ts";

// The public surface of @tenantsync/core, pinned: adding or removing an export
// is a decision, and this list is where it is made (STYLE.md: explicit named
// exports, a type test pins the public surface).
describe("public API", () => {
  it("@tenantsync/core exports exactly these runtime names", () => {
    expect(Object.keys(core).sort()).toEqual([
    "ALT_SEC_ID_EXPRESSION", "AbortedError", "AdapterError", "AlternativeSecurityId", "AttributeMapping",
    "AttributeMappingSource", "AuthError", "CapabilityError", "Cloud", "ConfigError", "ConflictError",
    "CursorExpiredError", "DEFAULT_DIRECTORY_CAPABILITIES", "DirectoryUser", "DomainName",
    "DotNetRegexError", "ENUM_WORDS", "ESCROW_DELAYS_MS", "ESCROW_MAX_AGE_MS", "EXTENSION_ATTRIBUTE_PATTERN",
    "ExpressionEvaluationError", "ExpressionSyntaxError", "FlowType", "Group", "Guid", "IGNORE_FLOW",
    "InvalidValueError", "JobScope", "MAX_EXPRESSION_DEPTH", "MAX_EXPRESSION_LENGTH", "MappingError",
    "NotFoundError", "PartnerSettings", "PolicyError", "QUARANTINE_THRESHOLDS", "REDACTED",
    "SCOPING_OPERATORS", "ScopingClause", "ScopingFilter", "ScopingFilterGroup", "SyncJobConfig", "Tenant",
    "TenantSyncError", "ThrottledError", "TransientError", "USER_STRING_ATTRIBUTES", "UserType",
    "WRITE_ACTION_KINDS", "canonicalScopingOperator", "compileDotNetRegex", "compileExpression",
    "compileExpressionNode", "compileMappings", "compileScopingFilter", "createManualClock",
    "createMemoryStateStore", "createSemaphore", "createSyncJob", "createTenantMesh", "crossCloudError", "defaultMappings",
    "diffMappedUser", "enterQuarantine", "evaluateGuard", "exportEntraSchema", "expressionToMappingSource",
    "failureVerdict", "formatPath", "importEntraSchema", "isEligibleForSync", "isTenantSyncError", "jobIdOf",
    "leaveQuarantine", "mappingSourceToExpression", "needsTargetRead", "newJobRecord", "nextEscrow",
    "normalizeDiacritics", "parseDirectoryUser", "parseDuration", "parseExpression", "parseSyncJobConfig",
    "parseTenant", "planUser", "preflight", "printExpression", "resolveUserType", "sameCloud",
    "sourceAttributesOf", "syncJobConfigJsonSchema", "systemClock", "throwIfAborted", "withRetries",
    ]);
  });

  it("@tenantsync/core/port exports exactly these runtime names, all also on the main entry", () => {
    const names = Object.keys(port).sort();
    expect(names).toEqual([
    "AbortedError", "AdapterError", "AlternativeSecurityId", "AuthError", "CapabilityError", "Cloud",
    "ConfigError", "ConflictError", "CursorExpiredError", "DEFAULT_DIRECTORY_CAPABILITIES", "DirectoryUser",
    "EXTENSION_ATTRIBUTE_PATTERN", "Group", "Guid", "InvalidValueError", "NotFoundError", "PartnerSettings",
    "PolicyError", "Tenant", "TenantSyncError", "ThrottledError", "TransientError", "USER_STRING_ATTRIBUTES",
    "UserType", "createManualClock", "createSemaphore", "formatPath", "isEligibleForSync", "isTenantSyncError", "newJobRecord",
    "parseDirectoryUser", "parseTenant", "sameCloud", "systemClock", "throwIfAborted",
    ]);
    for (const name of names) expect((core as Record<string, unknown>)[name], name).toBe((port as Record<string, unknown>)[name]);
  });

  it("keeps the signatures other packages and users rely on", () => {
    expectTypeOf(core.compileExpression).parameters.toEqualTypeOf<[text: string]>();
    expectTypeOf(core.compileExpression).returns.toEqualTypeOf<CompiledExpression>();
    expectTypeOf<Parameters<CompiledExpression["evaluate"]>[0]>().toEqualTypeOf<Readonly<Record<string, unknown>>>();
    expectTypeOf(core.compileScopingFilter).returns.toHaveProperty("explain");
    expectTypeOf(core.createSyncJob).returns.toEqualTypeOf<SyncJob>();
    expectTypeOf<Awaited<ReturnType<SyncJob["plan"]>>>().toHaveProperty("actions");
    expectTypeOf<DirectoryPort["readChanges"]>().returns.toEqualTypeOf<AsyncIterable<import("../src/index.ts").ChangePage>>();
    expectTypeOf<StateStore["write"]>().returns.toEqualTypeOf<Promise<void>>();
  });
});
