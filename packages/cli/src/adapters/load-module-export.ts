import { pathToFileURL } from "node:url";
import { ConfigError } from "@tenantsync/core";

/**
 * Imports `specifier` (a path relative to the config file, or a package
 * name) and returns its export `name` (default `default`), which must be a
 * function. ConfigError at `path` otherwise.
 */
export async function loadModuleExport(specifier: string, name: string | undefined, resolvePath: (p: string) => string, path: ReadonlyArray<string | number>): Promise<(...args: unknown[]) => unknown> {
  const isPath = specifier.startsWith(".") || specifier.startsWith("/") || /^[A-Za-z]:[\\/]/.test(specifier);
  const url = isPath ? pathToFileURL(resolvePath(specifier)).href : specifier;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError([{ path: [...path, "module"], message: `cannot import ${specifier}: ${(error as Error).message}` }], "module", { cause: error });
  }
  const key = name ?? "default";
  const factory = mod[key];
  if (typeof factory !== "function") {
    throw new ConfigError([{ path: [...path, name ? "export" : "module"], message: `${specifier} has no function export '${key}' (exports: ${Object.keys(mod).join(", ") || "none"})` }], "module");
  }
  return factory as (...args: unknown[]) => unknown;
}
