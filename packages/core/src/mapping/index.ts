/**
 * Attribute mappings (MAPPINGS.md): the default cross-tenant set, compiling
 * and evaluating a job's mappings, the update diff, and Entra schema
 * import/export.
 *
 * @module
 */
export { attributeKind, classifyTarget } from "./attribute-catalog.ts";
export type { AttributeKind, TargetClassification, TargetKind } from "./attribute-catalog.ts";
export { UPDATE_EXCLUDED_TARGETS, compileMappings } from "./compile-mappings.ts";
export type { CompileMappingsInput, CompileMappingsOptions, CompiledMapping, CompiledMappings, MappedUser, MappingContext } from "./compile-mappings.ts";
export { ALT_SEC_ID_EXPRESSION, defaultMappings } from "./default-mappings.ts";
export type { DefaultMappingsOptions } from "./default-mappings.ts";
export { REDACTED, diffMappedUser, resolveUserType } from "./diff-mapped-user.ts";
export type { MappedUserDiff, ModifiedProperty } from "./diff-mapped-user.ts";
export { exportEntraSchema, importEntraSchema } from "./entra-schema.ts";
export type { EntraAttributeMapping, EntraFilterGroup, EntraObjectMapping, EntraSchemaExportInput, EntraSynchronizationSchema, ImportedEntraSchema } from "./entra-schema.ts";
export { MappingError } from "./mapping-error.ts";
export { sourceAttributesOf } from "./source-attributes.ts";
export type { SourceAttributesExtra } from "./source-attributes.ts";
