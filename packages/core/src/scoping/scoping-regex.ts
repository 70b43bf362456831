import { compileDotNetRegex } from "../expressions/dotnet-regex.ts";

/**
 * Compiles the pattern of a `REGEX MATCH` / `NOT REGEX MATCH` clause:
 * .NET syntax, unanchored (`Regex.IsMatch`), case-sensitive, run by the
 * linear-time engine of {@link compileDotNetRegex}, so a pattern from a
 * config file cannot hang a cycle. Throws `DotNetRegexError` naming the
 * construct and its position for a pattern that is invalid or cannot run.
 */
export function compileScopingRegex(pattern: string): { test(input: string): boolean } {
  return compileDotNetRegex(pattern);
}
