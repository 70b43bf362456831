// graph-emulator-initial-5k: 5,000 new users through the Graph adapter (source
// and target both GraphDirectory) against the Graph emulator, 20 ms of latency
// per HTTP request, the emulator enforcing Graph's write quota scaled to the
// run. Compared with a naive script that lists the source users and, one
// request at a time, looks each up in the target, invites it and patches it.
import { createMemoryStateStore, createSyncJob, systemClock } from "@tenantsync/core";
// The root package does not depend on @tenantsync/graph (only core and memory): import its two public
// entry points (the package's "." and "./emulator" exports) by path.
import { createGraphDirectory, GRAPH_INVITATION_QUOTA, GRAPH_WRITE_QUOTA, type GraphDirectory } from "../../packages/graph/src/index.ts";
import { createEmulatorCredential, startGraphEmulator, type GraphEmulator } from "../../packages/graph/src/emulator.ts";
import { createMemoryDirectory, createMesh, type MemoryDirectory } from "@tenantsync/memory";
import { row, type BenchRow, type Scenario } from "../lib/bench-row.ts";

const USERS = Number(process.env["BENCH_GRAPH_USERS"] ?? 5000);
/**
 * The naive script is strictly sequential, so it runs on a sample and is
 * extrapolated. The sample runs against a target already holding half the
 * run's users, the average a whole naive run meets (the emulator answers
 * lookups on the anchor, mail and UPN from an index, so their cost no longer
 * grows with the target; the prefill keeps the comparison as it was defined).
 */
const NAIVE_SAMPLE = 250;
const LATENCY_MS = 20;
/**
 * Graph's identity write quota is 3,000 writes per 150 s per app and tenant
 * (≈ 20 writes/s). At that rate any client needs ≥ 500 s for 5,000 users
 * (2 writes each), so the run compresses time: the same 3,000-write bucket
 * refills this many times faster. Engine and naive script face the same quota.
 */
const QUOTA_SCALE = 50;
const QUOTA = { limit: GRAPH_WRITE_QUOTA.limit, windowMs: GRAPH_WRITE_QUOTA.windowMs / QUOTA_SCALE };
/** Graph's invitation limit (150 per 5 s per tenant), compressed the same way. */
const INVITATION_QUOTA = { limit: GRAPH_INVITATION_QUOTA.limit, windowMs: GRAPH_INVITATION_QUOTA.windowMs / QUOTA_SCALE };
/** The engine's workers (the job's `concurrency`, at most 256) and users per chunk. */
const JOB_CONCURRENCY = Number(process.env["BENCH_GRAPH_CONCURRENCY"] ?? 256);
const CHUNK_SIZE = Number(process.env["BENCH_GRAPH_CHUNK"] ?? 256);
/** HTTP requests the adapter keeps in flight (a $batch counts as one). */
const ADAPTER_CONCURRENCY = Number(process.env["BENCH_GRAPH_HTTP"] ?? 16);
const APP_ID = "b7d8e648-520f-41d3-b9c0-fdeb91768a0a";
const ANCHOR = `extension_${APP_ID.replace(/-/g, "")}_tenantSyncAnchor`;
const TARGET_ID = "22222222-2222-4222-8222-222222222222";
/**
 * The engine run stops (at a user boundary) after this long, so that
 * `pnpm bench` stays within its time budget when the adapter or emulator is
 * slow; the rows then describe the users it did create (usersCreated says how many).
 */
const ENGINE_BUDGET_MS = Number(process.env["BENCH_GRAPH_BUDGET_MS"] ?? 240_000);

interface Setup {
  emulator: GraphEmulator;
  source: MemoryDirectory;
  target: MemoryDirectory;
  graph(tenantId: string): GraphDirectory;
  /** HTTP requests the Graph directories sent, by kind (see requestKind). */
  kinds: Map<string, number>;
}

/**
 * What an HTTP request of the engine run was for: `sourceRead` (anything the source
 * directory sent), and for the target a `$batch` of `invitation`s, of `patch`es, of both
 * (`writesMixed`), or of reads only (`lookup`: findUsersBatch and the pre-create lookups,
 * with any trust check sent along); any other single request is `targetOther`
 * (organization, partner settings, a trust check on its own).
 */
function requestKind(role: "source" | "target", url: string, body: unknown): string {
  if (role === "source") return "sourceRead";
  if (!new URL(url).pathname.endsWith("/$batch")) return "targetOther";
  const items = (JSON.parse(String(body)) as { requests: Array<{ method: string; url: string }> }).requests;
  const invites = items.some((i) => i.method === "POST" && i.url.startsWith("/invitations"));
  const patches = items.some((i) => i.method === "PATCH");
  return invites && patches ? "writesMixed" : invites ? "invitation" : patches ? "patch" : items.every((i) => i.method === "GET") ? "lookup" : "targetOther";
}

async function setup(users: number): Promise<Setup> {
  const mesh = createMesh({ seed: 5, tenants: [{ displayName: "Contoso", domain: "contoso.example.com" }], usersPerTenant: users, managers: false, trust: "none", clock: systemClock });
  const source = mesh.tenants[0]!;
  const target = createMemoryDirectory({ tenant: { id: TARGET_ID, displayName: "Fabrikam", verifiedDomains: ["fabrikam.example.com"] }, clock: systemClock });
  target.admin.setPartnerSettings({ tenantId: source.tenant.id, userSyncInbound: { isSyncAllowed: true }, automaticUserConsentSettings: { inboundAllowed: true } });
  source.admin.setPartnerSettings({ tenantId: TARGET_ID, automaticUserConsentSettings: { outboundAllowed: true } });
  const emulator = await startGraphEmulator({ directories: [source, target], latencyMs: LATENCY_MS, quota: { writes: QUOTA }, clock: systemClock });
  const credential = createEmulatorCredential({ clock: systemClock });
  // The adapter's client-side quota matches what the emulator enforces (its default is Graph's real one).
  const kinds = new Map<string, number>();
  const counting =
    (role: "source" | "target"): typeof fetch =>
    (input, init) => {
      const kind = requestKind(role, String(input), init?.body);
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      return fetch(input, init);
    };
  const graph = (tenantId: string) =>
    createGraphDirectory({
      tenantId,
      credential,
      baseUrl: emulator.url,
      appId: APP_ID,
      clock: systemClock,
      quota: { writes: QUOTA, invitations: INVITATION_QUOTA },
      concurrency: ADAPTER_CONCURRENCY,
      fetch: counting(tenantId === TARGET_ID ? "target" : "source"),
    });
  return { emulator, source, target, graph, kinds };
}

/** Fills the target with `count` users of its own (what a naive run meets halfway through). */
function prefill(target: MemoryDirectory, count: number): void {
  for (let i = 0; i < count; i++) target.admin.addUser({ userPrincipalName: `resident${i}@fabrikam.example.com`, mail: `resident${i}@fabrikam.example.com`, displayName: `Resident ${i}` });
}

/** The naive script: list, then per user one lookup, one invitation, one PATCH, each awaited before the next. */
async function naive(s: Setup): Promise<{ ms: number; users: number; requests: number; throttled: number }> {
  const token = (await createEmulatorCredential({ clock: systemClock }).getToken("https://graph.microsoft.com/.default", { tenantId: TARGET_ID }))!.token;
  const sourceToken = (await createEmulatorCredential({ clock: systemClock }).getToken("https://graph.microsoft.com/.default", { tenantId: s.source.tenant.id }))!.token;
  const call = async (tok: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
    for (;;) {
      const res = await fetch(`${s.emulator.url}/v1.0${path}`, { method, headers: { authorization: `Bearer ${tok}`, "content-type": "application/json" }, ...(body ? { body: JSON.stringify(body) } : {}) });
      const text = await res.text();
      if (res.status === 429) {
        await new Promise((r) => setTimeout(r, Number(res.headers.get("retry-after") ?? "1") * 1000));
        continue;
      }
      if (res.status >= 400) throw new Error(`naive ${method} ${path}: ${res.status} ${text}`);
      return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    }
  };
  s.emulator.resetStats();
  const start = performance.now();
  const users: Array<Record<string, unknown>> = [];
  let next: string | null = `/users?$top=999&$select=id,displayName,mail,userPrincipalName,givenName,surname,jobTitle,department,companyName,employeeId,officeLocation,city,country,preferredLanguage`;
  while (next && users.length < NAIVE_SAMPLE) {
    const page: { status: number; json: Record<string, unknown> } = await call(sourceToken, "GET", next);
    users.push(...(page.json["value"] as Array<Record<string, unknown>>));
    const link = page.json["@odata.nextLink"];
    next = typeof link === "string" ? link.slice(link.indexOf("/v1.0") + 5) : null;
  }
  const sample = users.slice(0, NAIVE_SAMPLE);
  for (const u of sample) {
    const anchor = `${s.source.tenant.id}:${String(u["id"])}`;
    const found = await call(token, "GET", `/users?$filter=${encodeURIComponent(`${ANCHOR} eq '${anchor}'`)}&$select=id`);
    if ((found.json["value"] as unknown[]).length > 0) continue;
    const invited = await call(token, "POST", "/invitations", { invitedUserEmailAddress: u["mail"], inviteRedirectUrl: "https://myapps.microsoft.com", sendInvitationMessage: false, invitedUserType: "Member", invitedUserDisplayName: u["displayName"] });
    const id = String((invited.json["invitedUser"] as Record<string, unknown>)["id"]);
    const { id: _id, mail: _mail, userPrincipalName: _upn, ...attributes } = u;
    await call(token, "PATCH", `/users/${id}`, { ...attributes, [ANCHOR]: anchor });
  }
  const ms = performance.now() - start;
  const stats = s.emulator.stats();
  return { ms, users: sample.length, requests: stats.requests, throttled: stats.throttled };
}

export const graphEmulatorInitial5k: Scenario = {
  name: "graph-emulator-initial-5k",
  description: `5,000 new users through the Graph adapter vs a naive sequential script (emulator, ${LATENCY_MS} ms latency, write quota ×${QUOTA_SCALE})`,
  async run({ log }) {
    const rows: BenchRow[] = [];
    // The engine: a first full cycle, source and target through GraphDirectory.
    const s = await setup(USERS);
    try {
      const job = createSyncJob({
        source: s.graph(s.source.tenant.id),
        target: s.graph(TARGET_ID),
        store: createMemoryStateStore(),
        clock: systemClock,
        chunkSize: CHUNK_SIZE,
        config: { sourceTenantId: s.source.tenant.id, targetTenantId: TARGET_ID, scope: { mode: "all" }, options: { concurrency: JOB_CONCURRENCY } },
      });
      s.emulator.resetStats();
      s.kinds.clear();
      const cpu = process.cpuUsage();
      const start = performance.now();
      const budget = AbortSignal.timeout(ENGINE_BUDGET_MS);
      const report = await job.runCycle({ signal: budget });
      const ms = performance.now() - start;
      const cpuUsed = process.cpuUsage(cpu);
      const stats = s.emulator.stats();
      const created = report.summary.counts.created;
      log(`  engine: ${(ms / 1000).toFixed(1)} s (cpu ${((cpuUsed.user + cpuUsed.system) / 1e6).toFixed(1)} s, adapter and emulator together), ${created} created, ${stats.requests} HTTP requests (${stats.batches} $batch with ${stats.batchItems} items), ${stats.writes} writes, ${stats.throttled} throttled; state ${report.summary.state}`);
      log(`  routes: ${JSON.stringify(stats.byRoute)}`);
      log(`  requests by kind: ${JSON.stringify(Object.fromEntries(s.kinds))}`);
      if (created !== USERS) log(`  WARNING: ${USERS - created} users not created (stopped: ${report.stopped ?? "no"}; budget ${ENGINE_BUDGET_MS / 1000} s): ${JSON.stringify(report.summary.counts)}`);
      const per = Math.max(created, 1);
      rows.push(
        row("graph-emulator-initial-5k", "httpRequestsPerUser", stats.requests / per, "requests/user"),
        row("graph-emulator-initial-5k", "throttled429", stats.throttled, "count"),
        row("graph-emulator-initial-5k", "engineSeconds", ms / 1000, "s"),
        row("graph-emulator-initial-5k", "usersCreated", created, "count"),
        row("graph-emulator-initial-5k", "engineUsersPerSecond", created / (ms / 1000), "users/s"),
        row("graph-emulator-initial-5k", "writesPerUser", stats.writes / per, "writes/user"),
        row("graph-emulator-initial-5k", "quotaWritesPerSecond", (QUOTA.limit / QUOTA.windowMs) * 1000, "writes/s"),
        row("graph-emulator-initial-5k", "batchItemsPerBatch", stats.batchItems / Math.max(stats.batches, 1), "items"),
        ...["sourceRead", "lookup", "invitation", "patch", "writesMixed", "targetOther"].map((kind) => row("graph-emulator-initial-5k", `requests${kind[0]!.toUpperCase()}${kind.slice(1)}`, s.kinds.get(kind) ?? 0, "count")),
      );
      const engineUsersPerSecond = created / (ms / 1000);
      await s.emulator.close();
      // The naive script, on a fresh pair of tenants.
      const n = await setup(USERS);
      prefill(n.target, Math.floor(USERS / 2));
      try {
        const r = await naive(n);
        const naiveMs = (r.ms / r.users) * USERS;
        const naiveUsersPerSecond = r.users / (r.ms / 1000);
        log(`  naive: ${(r.ms / 1000).toFixed(1)} s for ${r.users} users (${r.requests} requests, ${r.throttled} throttled) → ${(naiveMs / 1000).toFixed(0)} s for ${USERS}`);
        rows.push(
          // Throughput ratio: the same as the time ratio for a complete run.
          row("graph-emulator-initial-5k", "speedupVsNaive", engineUsersPerSecond / naiveUsersPerSecond, "ratio"),
          row("graph-emulator-initial-5k", "naiveSecondsExtrapolated", naiveMs / 1000, "s"),
          row("graph-emulator-initial-5k", "naiveSampleUsers", r.users, "count"),
          row("graph-emulator-initial-5k", "naiveSampleTargetUsers", Math.floor(USERS / 2), "count"),
          row("graph-emulator-initial-5k", "naiveHttpRequestsPerUser", r.requests / r.users, "requests/user"),
        );
      } finally {
        await n.emulator.close();
      }
    } finally {
      await s.emulator.close().catch(() => undefined);
    }
    return rows;
  },
};
