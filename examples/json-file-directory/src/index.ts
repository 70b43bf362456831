/**
 * The worked example of docs/writing-an-adapter.md: a tenantsync
 * `DirectoryPort` kept in a JSON file.
 *
 * @example
 * ```ts
 * import { createDirectoryFile, createJsonFileDirectory } from "@tenantsync/example-json-file-directory";
 * await createDirectoryFile("./fabrikam.json", tenant);
 * const directory = createJsonFileDirectory({ path: "./fabrikam.json" });
 * ```
 *
 * @module
 */
export { createJsonFileDirectory } from "./json-file-directory.ts";
export type { JsonFileDirectory, JsonFileDirectoryOptions } from "./json-file-directory.ts";
export { createDirectoryFile, readDirectoryFile, recordChange, updateDirectoryFile } from "./directory-file.ts";
export type { ChangeEntry, DirectoryFile } from "./directory-file.ts";
