/**
 * A key → ids index that stays lean when most keys have one id (a plain
 * string) and grows a Set only for keys shared by several ids.
 */
export class MultiIndex {
  private readonly map = new Map<string, string | Set<string>>();

  add(key: string, id: string): void {
    const cur = this.map.get(key);
    if (cur === undefined) this.map.set(key, id);
    else if (typeof cur === "string") {
      if (cur !== id) this.map.set(key, new Set([cur, id]));
    } else cur.add(id);
  }

  remove(key: string, id: string): void {
    const cur = this.map.get(key);
    if (cur === undefined) return;
    if (typeof cur === "string") {
      if (cur === id) this.map.delete(key);
      return;
    }
    cur.delete(id);
    if (cur.size === 1) this.map.set(key, cur.values().next().value as string);
    else if (cur.size === 0) this.map.delete(key);
  }

  /** The ids under `key`, in insertion order. */
  get(key: string): string[] {
    const cur = this.map.get(key);
    if (cur === undefined) return [];
    return typeof cur === "string" ? [cur] : [...cur];
  }
}
