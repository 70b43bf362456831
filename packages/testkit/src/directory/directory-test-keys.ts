/**
 * Every test of {@link runDirectoryConformance}, by key. Pass keys to
 * `disable` to switch tests off (type-checked); the test titles end with
 * their key in brackets, so a failing test tells you what to write.
 *
 * @example
 * ```ts
 * runDirectoryConformance({ name: "scim", create, probe, disable: ["trust.untrustedSource", "trust.withdrawn"] });
 * ```
 */
export const DIRECTORY_CONFORMANCE_TESTS = [
  "describe.tenant",
  "capabilities.declared",
  "capabilities.honest",
  "partnerSettings.trustedSource",
  "partnerSettings.unknownPartner",
  "partnerSettings.readsBackend",
  "listUsers.everyUser",
  "listUsers.pageSize",
  "listUsers.excludesSoftDeleted",
  "getUser.returnsStored",
  "getUser.unknownIsNull",
  "getUser.hidesSoftDeleted",
  "getUser.includeDeleted",
  "getUser.manager",
  "groups.directMembers",
  "groups.transitiveMembers",
  "groups.memberRemoved",
  "groups.unknownGroup",
  "changes.fromNow",
  "changes.userCreated",
  "changes.userUpdated",
  "changes.userSoftDeleted",
  "changes.userRestored",
  "changes.userHardDeleted",
  "changes.membership",
  "changes.resume",
  "changes.replay",
  "changes.garbledCursor",
  "findUsers.byAlternativeSecurityId",
  "findUsers.byAttribute",
  "findUsers.includeDeleted",
  "createExternalUser.external",
  "createExternalUser.guest",
  "createExternalUser.attributes",
  "createExternalUser.externalUserPrincipalName",
  "createExternalUser.conflict",
  "createExternalUser.invalid",
  "createExternalUser.withManager",
  "createExternalUser.withUnknownManager",
  "updateUser.writes",
  "updateUser.clears",
  "updateUser.extensions",
  "updateUser.userPrincipalName",
  "updateUser.unknownUser",
  "updateUser.softDeletedUser",
  "updateUser.conflict",
  "setManager.setsAndClears",
  "setManager.unknownManager",
  "setManager.unknownUser",
  "softDeleteUser.moves",
  "softDeleteUser.unknownUser",
  "softDeleteUser.alreadyDeleted",
  "restoreUser.restores",
  "restoreUser.liveUser",
  "restoreUser.unknownUser",
  "trust.untrustedSource",
  "trust.withdrawn",
  "abort.reads",
  "abort.writes",
  "abort.betweenPages",
  "properties.writeRoundTrip",
  "properties.model",
  "convergence.fromScratch",
  "convergence.afterSourceChanges",
] as const;

/**
 * The key of one test of the directory conformance suite. @see {@link DIRECTORY_CONFORMANCE_TESTS}
 *
 * @example
 * ```ts
 * const off: DirectoryConformanceTest[] = ["changes.replay"];
 * ```
 */
export type DirectoryConformanceTest = (typeof DIRECTORY_CONFORMANCE_TESTS)[number];
