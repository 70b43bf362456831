import { z } from "zod";

/**
 * A group with its **direct** members (user ids and nested group ids).
 *
 * @example
 * ```ts
 * const g: Group = { id: "g1", displayName: "Sales", members: ["u1", "g2"] };
 * ```
 */
export const Group = z.object({
  id: z.string().min(1),
  displayName: z.string().min(1),
  members: z.array(z.string().min(1)).default([]),
});
/** @see {@link Group} */
export type Group = z.infer<typeof Group>;
