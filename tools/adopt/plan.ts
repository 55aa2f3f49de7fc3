/**
 * The adoption plan: what discovery found on the Docker host and what the cutover will do with
 * each object. Pure functions only (discovery JSON in, plan out; plan text in, plan or issues
 * out), so every rule is unit-tested without a daemon. The plan file is YAML with one comment per
 * entry saying what will happen to it; the operator reviews and edits it, `adopt` reads it back.
 */
import * as YAML from "yaml";
import type { AdoptionTargets } from "./targets";

// --- what discovery reads (the subset of `docker inspect` the plan needs)

export interface InspectedContainer {
    readonly Id: string;
    readonly Name: string;
    readonly Config: { readonly Image: string; readonly Env?: readonly string[] | null; readonly Labels?: Readonly<Record<string, string>> | null };
    readonly State: { readonly Status: string };
    readonly Mounts?: readonly { readonly Type: string; readonly Name?: string; readonly Source?: string; readonly Destination: string }[] | null;
    readonly NetworkSettings?: {
        readonly Ports?: Readonly<Record<string, readonly { readonly HostIp?: string; readonly HostPort: string }[] | null>> | null;
        readonly Networks?: Readonly<Record<string, unknown>> | null;
    } | null;
}

export interface InspectedVolume {
    readonly Name: string;
    readonly Driver: string;
    readonly Labels?: Readonly<Record<string, string>> | null;
}

export interface InspectedNetwork {
    readonly Name: string;
    readonly Id: string;
    readonly Labels?: Readonly<Record<string, string>> | null;
}

/** Databases found inside the Compose stores (read with each store's own tools at discovery). */
export interface DiscoveredDatabases {
    readonly postgres?: { readonly container: string; readonly superuser: string; readonly databases: readonly string[]; readonly roles: readonly string[] };
    readonly mysql?: { readonly container: string; readonly databases: readonly string[]; readonly users: readonly string[] };
}

export interface Discovery {
    readonly containers: readonly InspectedContainer[];
    readonly volumes: readonly InspectedVolume[];
    readonly networks: readonly InspectedNetwork[];
    readonly databases: DiscoveredDatabases;
}

// --- the plan

export interface PlanVolume {
    readonly name: string;
    readonly project: string | null;
    readonly driver: string;
    /** Containers that mount it. */
    readonly mountedBy: readonly string[];
    /** The program's volume (its `<service>-<purpose>` key) the data is copied into; null: left alone. */
    readonly adoptAs: string | null;
}

export interface PlanContainer {
    readonly name: string;
    readonly project: string | null;
    readonly service: string | null;
    readonly image: string;
    readonly state: string;
    readonly mounts: readonly string[];
    readonly ports: readonly string[];
    /** Names of its environment variables; values are never read into the plan. */
    readonly envKeys: readonly string[];
    /** The program's service or app that replaces it (it is stopped at cutover); null: left alone, keeps running. */
    readonly takenOverBy: string | null;
}

export interface PlanNetwork {
    readonly name: string;
    readonly project: string | null;
}

export interface PlanDatabase {
    readonly name: string;
    /** PostgreSQL: the program's consumer; MySQL: the app key. null: kept in the data, not wired to anything. */
    readonly owner: string | null;
}

export interface AdoptionPlan {
    readonly stack: string;
    readonly volumes: readonly PlanVolume[];
    readonly containers: readonly PlanContainer[];
    readonly networks: readonly PlanNetwork[];
    readonly postgres: { readonly container: string; readonly superuser: string; readonly databases: readonly PlanDatabase[] } | null;
    readonly mysql: { readonly container: string; readonly databases: readonly PlanDatabase[] } | null;
    /** Objects outside Docker the program imports instead of creating a second time. */
    readonly imports: {
        /** GitLab's existing Outline OAuth application: its numeric id. */
        readonly outlineOAuthApplication: string | null;
        /** Cloudflare DNS records by route name: `<zone_id>/<record_id>`. */
        readonly dnsRecords: Readonly<Record<string, string>>;
    };
}

const COMPOSE_PROJECT = "com.docker.compose.project";
const COMPOSE_SERVICE = "com.docker.compose.service";

/** Image families the program's services run, by a word of the image's repository name. */
const IMAGE_SERVICES: readonly [RegExp, string][] = [
    [/(^|\/)postgres(ql)?([:@]|$)/, "postgres"],
    [/(^|\/)(mysql|mariadb)([:@]|$)/, "mysql"],
    [/(^|\/)redis([:@]|$)/, "redis"],
    [/(^|\/)caddy([:@]|$)/, "caddy"],
    [/(^|\/)gitlab-ce|gitlab-ee([:@]|$)/, "gitlab"],
    [/(^|\/)outline([:@]|$)/, "outline"],
    [/(^|\/)uptime-kuma([:@]|$)/, "uptime"],
    [/(^|\/)portainer(-ce|-ee)?([:@]|$)/, "portainer"],
    [/(^|\/)grafana([:@]|$)/, "grafana"],
    [/(^|\/)(nginx|portal)([:@]|$)/, "portal"],
    [/(^|\/)frpc([:@]|$)/, "frpc"],
];

function imageService(image: string): string | undefined {
    return IMAGE_SERVICES.find(([re]) => re.test(image))?.[1];
}

function containerName(c: InspectedContainer): string {
    return c.Name.replace(/^\//, "");
}

/**
 * Which program service takes a container over: by its image family (a mount at the program's
 * mount path decides between services sharing one, e.g. Caddy's and Portainer's /data), else a
 * business app whose key is the container's Compose service name. Anything else is left alone.
 */
function takenOverBy(c: InspectedContainer, targets: AdoptionTargets): string | null {
    const family = imageService(c.Config.Image);
    if (family !== undefined && Object.hasOwn(targets.containers, family)) return family;
    const composeService = c.Config.Labels?.[COMPOSE_SERVICE];
    if (composeService !== undefined && Object.hasOwn(targets.containers, composeService) && !targets.volumes.some((v) => v.service === composeService))
        return composeService;
    return null;
}

/** Builds the plan from what discovery read: every object listed, the ones the program owns mapped. */
export function buildPlan(discovery: Discovery, targets: AdoptionTargets): AdoptionPlan {
    const ownPrefix = `nexora-${targets.stack}-`;
    // The stack's own objects (a re-run after an adoption) are not Compose objects to adopt.
    const foreign = <T extends { Name: string }>(o: T) => !o.Name.replace(/^\//, "").startsWith(ownPrefix);
    const containers: PlanContainer[] = discovery.containers.filter(foreign).map((c) => ({
        name: containerName(c),
        project: c.Config.Labels?.[COMPOSE_PROJECT] ?? null,
        service: c.Config.Labels?.[COMPOSE_SERVICE] ?? null,
        image: c.Config.Image,
        state: c.State.Status,
        mounts: (c.Mounts ?? []).map((m) => `${m.Type === "volume" ? m.Name : m.Source}:${m.Destination}`),
        ports: Object.entries(c.NetworkSettings?.Ports ?? {}).flatMap(([port, bindings]) =>
            (bindings ?? []).map((b) => `${b.HostIp ? `${b.HostIp}:` : ""}${b.HostPort}->${port}`),
        ),
        envKeys: (c.Config.Env ?? []).map((e) => e.split("=", 1)[0]!).sort(),
        takenOverBy: takenOverBy(c, targets),
    }));
    const byName = new Map(discovery.containers.filter(foreign).map((c) => [containerName(c), c]));
    const taken = new Set<string>();
    const volumes: PlanVolume[] = discovery.volumes.filter(foreign).map((v) => {
        const users = containers.filter((c) => (byName.get(c.name)!.Mounts ?? []).some((m) => m.Type === "volume" && m.Name === v.Name));
        let adoptAs: string | null = null;
        for (const user of users) {
            if (user.takenOverBy === null) continue;
            const mount = (byName.get(user.name)!.Mounts ?? []).find((m) => m.Type === "volume" && m.Name === v.Name)!;
            const target = targets.volumes.find((t) => t.service === user.takenOverBy && t.mountPath === mount.Destination.replace(/\/+$/, ""));
            if (target && !taken.has(target.key)) {
                adoptAs = target.key;
                taken.add(target.key);
                break;
            }
        }
        return { name: v.Name, project: v.Labels?.[COMPOSE_PROJECT] ?? null, driver: v.Driver, mountedBy: users.map((u) => u.name), adoptAs };
    });
    const networks = discovery.networks
        .filter(foreign)
        .filter((n) => !["bridge", "host", "none"].includes(n.Name))
        .map((n) => ({ name: n.Name, project: n.Labels?.[COMPOSE_PROJECT] ?? null }));
    const pg = discovery.databases.postgres;
    const my = discovery.databases.mysql;
    // Exact names only: the program serves a consumer from the database of its own name (validatePlan).
    const nameMatch = (db: string, owners: readonly string[]) => owners.find((o) => db === o) ?? null;
    const mysqlOwners = Object.entries(targets.mysqlApps);
    return {
        stack: targets.stack,
        volumes,
        containers,
        networks,
        postgres: pg
            ? {
                  container: pg.container,
                  superuser: pg.superuser,
                  databases: pg.databases.map((d) => ({ name: d, owner: nameMatch(d, targets.postgresConsumers) })),
              }
            : null,
        mysql: my
            ? {
                  container: my.container,
                  databases: my.databases.map((d) => {
                      const exact = mysqlOwners.find(([, db]) => db === d);
                      return { name: d, owner: exact?.[0] ?? null };
                  }),
              }
            : null,
        imports: { outlineOAuthApplication: null, dnsRecords: {} },
    };
}

// --- the plan file

function volumeComment(v: PlanVolume, targets: AdoptionTargets): string {
    if (v.adoptAs === null) return ` ${v.name}: left alone (not copied, not removed)`;
    const target = targets.volumes.find((t) => t.key === v.adoptAs);
    return ` ${v.name}: copied into ${target?.name ?? v.adoptAs} at cutover; this volume is not changed and stays the way back`;
}

function containerComment(c: PlanContainer, targets: AdoptionTargets): string {
    if (c.takenOverBy === null) return ` ${c.name}: left alone (keeps running, never stopped)`;
    const grace = targets.volumes.find((t) => t.service === c.takenOverBy)?.stopGraceSeconds ?? 30;
    // The admins whose passwords live in the data: the program sets its own (components/gitlab/root-password.ts, components/portainer/admin-password.ts).
    const admin =
        c.takenOverBy === "gitlab"
            ? "; root's password becomes the stack's generated one"
            : c.takenOverBy === "portainer"
              ? "; admin's password becomes the stack's generated one (adopt needs the current one in NEXORA_ADOPT_PORTAINER_PASSWORD)"
              : "";
    return ` ${c.name}: stopped at cutover (docker stop, ${grace} s grace), replaced by ${targets.containers[c.takenOverBy] ?? c.takenOverBy}; restarted by rollback${admin}`;
}

/** Renders the plan as YAML with one comment per entry (the `yaml` package keeps comments through edits). */
export function renderPlan(plan: AdoptionPlan, targets: AdoptionTargets): string {
    const doc = new YAML.Document(plan);
    doc.commentBefore = [
        ` Adoption plan of stack ${plan.stack}. Review, edit adoptAs / takenOverBy / owner / imports, then:`,
        `   npm run adopt -- adopt ${plan.stack} --plan <this file>`,
        " Environment variables are listed by name only: no value is read into this file.",
        ` The program's volumes: ${targets.volumes.map((t) => `${t.key}${t.required ? " (required)" : ""}`).join(", ")}.`,
    ].join("\n");
    const seq = (key: string) => doc.get(key) as YAML.YAMLSeq<YAML.YAMLMap> | null;
    seq("volumes")?.items.forEach((item, i) => (item.commentBefore = volumeComment(plan.volumes[i]!, targets)));
    seq("containers")?.items.forEach((item, i) => (item.commentBefore = containerComment(plan.containers[i]!, targets)));
    seq("networks")?.items.forEach((item, i) => (item.commentBefore = ` ${plan.networks[i]!.name}: left alone (the stack makes its own networks)`));
    for (const store of ["postgres", "mysql"] as const) {
        const databases = doc.getIn([store, "databases"]) as YAML.YAMLSeq<YAML.YAMLMap> | undefined;
        databases?.items.forEach((item, i) => {
            const db = plan[store]!.databases[i]!;
            item.commentBefore =
                db.owner === null
                    ? ` ${db.name}: copied with the data, not wired to any service${store === "postgres" ? "; its login roles' passwords are removed" : "; its users are locked"}`
                    : store === "postgres"
                      ? ` ${db.name}: copied, then served to ${db.owner}; role ${db.owner}'s password rotated by the program`
                      : ` ${db.name}: copied, then served to app ${db.owner}; user ${db.name}'s password rotated by the program`;
        });
    }
    const imports = doc.get("imports") as YAML.YAMLMap | undefined;
    if (imports)
        imports.commentBefore =
            " Imported, not created a second time: outlineOAuthApplication = GitLab's application id (Admin > Applications), dnsRecords.<route> = <zone_id>/<record_id>";
    return doc.toString({ lineWidth: 0 });
}

/** A plan file problem: the entry it is about (a YAML path like `volumes[2] (claw_pgdata)`) and what is wrong. */
export interface PlanIssue {
    readonly entry: string;
    readonly message: string;
}

export class PlanError extends Error {
    constructor(readonly issues: readonly PlanIssue[]) {
        super(issues.map((i) => `${i.entry}: ${i.message}`).join("\n"));
    }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === "string";
const nullableString = (v: unknown): v is string | null => v === null || typeof v === "string";
const stringList = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);

/** Reads a plan file's text: its shape only (validatePlan checks the meaning). @throws PlanError naming the entry. */
export function parsePlan(text: string): AdoptionPlan {
    const issues: PlanIssue[] = [];
    let raw: unknown;
    try {
        raw = YAML.parse(text, { uniqueKeys: true, maxAliasCount: 0 });
    } catch (err) {
        throw new PlanError([{ entry: "(file)", message: `not valid YAML: ${(err as Error).message.split("\n")[0]}` }]);
    }
    if (!isRecord(raw)) throw new PlanError([{ entry: "(file)", message: "expected a mapping with stack, volumes, containers, networks" }]);
    const need = (ok: boolean, entry: string, message: string) => {
        if (!ok) issues.push({ entry, message });
        return ok;
    };
    need(isString(raw.stack), "stack", "expected the stack's name");
    const list = (key: string, check: (item: Record<string, unknown>, entry: string) => void) => {
        const items = raw[key];
        if (!need(Array.isArray(items), key, "expected a list")) return;
        (items as unknown[]).forEach((item, i) => {
            const entry = `${key}[${i}]${isRecord(item) && isString(item.name) ? ` (${item.name})` : ""}`;
            if (!need(isRecord(item) && isString(item.name), entry, "expected a mapping with a name")) return;
            check(item as Record<string, unknown>, entry);
        });
    };
    list("volumes", (v, e) => {
        need(nullableString(v.adoptAs), `${e}.adoptAs`, "expected a volume key of the program or null (left alone)");
        need(nullableString(v.project), `${e}.project`, "expected a string or null");
        need(isString(v.driver), `${e}.driver`, "expected the volume driver");
        need(stringList(v.mountedBy), `${e}.mountedBy`, "expected a list of container names");
    });
    list("containers", (c, e) => {
        need(nullableString(c.takenOverBy), `${e}.takenOverBy`, "expected a service of the program or null (left alone)");
        for (const k of ["project", "service"]) need(nullableString(c[k]), `${e}.${k}`, "expected a string or null");
        for (const k of ["image", "state"]) need(isString(c[k]), `${e}.${k}`, "expected a string");
        for (const k of ["mounts", "ports", "envKeys"]) need(stringList(c[k]), `${e}.${k}`, "expected a list of strings");
    });
    list("networks", (n, e) => need(nullableString(n.project), `${e}.project`, "expected a string or null"));
    for (const store of ["postgres", "mysql"] as const) {
        const s = raw[store];
        if (s === null || s === undefined) continue;
        if (!need(isRecord(s) && isString(s.container) && Array.isArray(s.databases), store, "expected null or container + databases")) continue;
        const r = s as Record<string, unknown>;
        if (store === "postgres") need(isString(r.superuser), "postgres.superuser", "expected the superuser's name");
        (r.databases as unknown[]).forEach((d, i) => {
            need(isRecord(d) && isString(d.name) && nullableString(d.owner), `${store}.databases[${i}]`, "expected name and owner (a string or null)");
        });
    }
    const imports = raw.imports;
    if (need(isRecord(imports), "imports", "expected outlineOAuthApplication and dnsRecords")) {
        const im = imports as Record<string, unknown>;
        need(nullableString(im.outlineOAuthApplication), "imports.outlineOAuthApplication", "expected an application id or null");
        need(isRecord(im.dnsRecords) && Object.values(im.dnsRecords).every(isString), "imports.dnsRecords", "expected route: <zone_id>/<record_id> entries");
    }
    if (issues.length > 0) throw new PlanError(issues);
    const r = raw as unknown as AdoptionPlan;
    return { ...r, postgres: r.postgres ?? null, mysql: r.mysql ?? null };
}

/** What the daemon holds now, by name: validation checks the plan against it. */
export interface LiveNames {
    readonly volumes: ReadonlySet<string>;
    readonly containers: ReadonlySet<string>;
}

const DNS_IMPORT_ID = /^[0-9a-f]{32}\/[0-9a-f]{32}$/;
const GITLAB_APPLICATION_ID = /^[1-9][0-9]{0,18}$/;

/**
 * Checks a plan's meaning against the stack and the daemon. Every problem is returned (not only
 * the first), each naming its entry; an empty list means the cutover may start.
 */
export function validatePlan(plan: AdoptionPlan, targets: AdoptionTargets, live: LiveNames, routeNames: readonly string[]): PlanIssue[] {
    const issues: PlanIssue[] = [];
    const add = (entry: string, message: string) => issues.push({ entry, message });
    if (plan.stack !== targets.stack) add("stack", `the plan is for stack ${JSON.stringify(plan.stack)}, not ${targets.stack}`);
    const volumeKeys = targets.volumes.map((t) => t.key);
    const mappedTo = new Map<string, number>();
    plan.volumes.forEach((v, i) => {
        const entry = `volumes[${i}] (${v.name})`;
        if (!live.volumes.has(v.name)) add(entry, `volume ${v.name} does not exist on the Docker host`);
        if (v.adoptAs === null) return;
        if (!volumeKeys.includes(v.adoptAs)) {
            add(`${entry}.adoptAs`, `${JSON.stringify(v.adoptAs)} is not a volume of stack ${targets.stack}; one of ${volumeKeys.join(", ")}`);
            return;
        }
        const first = mappedTo.get(v.adoptAs);
        if (first !== undefined)
            add(`${entry}.adoptAs`, `${v.adoptAs} is already the target of volumes[${first}] (${plan.volumes[first]!.name}): one volume per target`);
        else mappedTo.set(v.adoptAs, i);
    });
    for (const t of targets.volumes) {
        if (t.required && !mappedTo.has(t.key))
            add(`volumes (${t.key})`, `the program's required store ${t.key} (${t.name}) is not the target of any volume: map one with adoptAs: ${t.key}`);
    }
    const services = new Set([...targets.volumes.map((t) => t.service), ...Object.keys(targets.containers)]);
    const takenOver = new Set<string>();
    plan.containers.forEach((c, i) => {
        const entry = `containers[${i}] (${c.name})`;
        if (c.takenOverBy !== null) {
            if (!services.has(c.takenOverBy))
                add(
                    `${entry}.takenOverBy`,
                    `${JSON.stringify(c.takenOverBy)} is no service of stack ${targets.stack}; one of ${[...services].sort().join(", ")}`,
                );
            if (!live.containers.has(c.name)) add(entry, `container ${c.name} does not exist on the Docker host`);
            takenOver.add(c.name);
        }
    });
    // A left-alone container still writing into a volume whose copy is adopted would fork the data.
    plan.volumes.forEach((v, i) => {
        if (v.adoptAs === null) return;
        for (const user of v.mountedBy)
            if (!takenOver.has(user))
                add(
                    `volumes[${i}] (${v.name})`,
                    `mounted by ${user}, which the plan leaves running: it would keep writing after the copy (set its takenOverBy, or adoptAs: null)`,
                );
    });
    const dbChecks = (store: "postgres" | "mysql", owners: readonly string[]) => {
        const s = plan[store];
        if (s === null) return;
        if (!takenOver.has(s.container)) add(`${store}.container`, `${s.container} is not a container the plan takes over`);
        const seen = new Map<string, number>();
        s.databases.forEach((d, i) => {
            if (d.owner === null) return;
            const entry = `${store}.databases[${i}] (${d.name})`;
            if (!owners.includes(d.owner))
                add(
                    `${entry}.owner`,
                    `${JSON.stringify(d.owner)} is not a ${store === "postgres" ? "PostgreSQL consumer" : "database app"} of stack ${targets.stack}; one of ${owners.join(", ") || "(none)"}`,
                );
            // The program's role and database carry the consumer's name: a different name would leave the data beside an empty database.
            const expected = store === "postgres" ? d.owner : targets.mysqlApps[d.owner];
            if (expected !== undefined && owners.includes(d.owner) && d.name !== expected)
                add(
                    `${entry}.owner`,
                    `stack ${targets.stack} serves ${d.owner} from a database named ${expected}: rename ${d.name} to ${expected} in the Compose deployment first, or set owner: null`,
                );
            const first = seen.get(d.owner);
            if (first !== undefined) add(`${entry}.owner`, `${d.owner} already owns ${store}.databases[${first}] (${s.databases[first]!.name})`);
            else seen.set(d.owner, i);
        });
    };
    dbChecks("postgres", targets.postgresConsumers);
    dbChecks("mysql", Object.keys(targets.mysqlApps));
    if (plan.postgres !== null && !/^[a-z_][a-z0-9_]{0,62}$/.test(plan.postgres.superuser))
        add("postgres.superuser", "expected a PostgreSQL role name (lowercase letters, digits, _)");
    const app = plan.imports.outlineOAuthApplication;
    if (app !== null && !GITLAB_APPLICATION_ID.test(app)) add("imports.outlineOAuthApplication", "expected GitLab's numeric application id");
    for (const [route, id] of Object.entries(plan.imports.dnsRecords)) {
        if (!routeNames.includes(route)) add(`imports.dnsRecords.${route}`, `no route ${route} in stack ${targets.stack}; one of ${routeNames.join(", ")}`);
        if (!DNS_IMPORT_ID.test(id)) add(`imports.dnsRecords.${route}`, "expected <zone_id>/<record_id> (32 hex digits each)");
    }
    return issues;
}
