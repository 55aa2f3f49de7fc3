import { hostnameProblem, isPort } from "../validators";
import type { HttpRoute, RouteTable, TcpRoute } from "./types";

/** Docker container names (and IPv4 literals, which match too); nothing a Caddyfile or TOML would read as syntax. */
const UPSTREAM_HOST = /^[A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9])?$/;
/** Pulumi stack names; the stack only ever lands in comments, but a newline would end one. */
const STACK_NAME = /^[A-Za-z0-9._-]+$/;

// The hostname and port rules live with every other syntax rule; re-exported for the renderers.
export { hostnameProblem, isPort };

/** Where a route-table problem is: the table itself (one of its fields) or one entry (and its field). */
export type RouteProblemSite =
    | { readonly kind: "table"; readonly field: "stack" | "httpPort" | "httpsPort" }
    | { readonly kind: "http" | "tcp"; readonly index: number; readonly field?: "remotePort" };

/** One problem of a route table: the sentence for people, and where it is as data (config maps it to its key). */
export interface RouteProblem {
    readonly message: string;
    readonly at: RouteProblemSite;
}

/**
 * Every problem of one stack's route table; empty when the table is valid. Each message starts
 * with the offending entry ("http route #2 (route "gitlab", hostname "…")"), and `at` says the
 * same as data. The renderers refuse an invalid table, so this is also what makes every value
 * they interpolate safe.
 */
export function routeTableProblems(table: RouteTable): RouteProblem[] {
    const problems: RouteProblem[] = [];
    const tableProblem = (field: "stack" | "httpPort" | "httpsPort", message: string) => problems.push({ message, at: { kind: "table", field } });
    if (!STACK_NAME.test(table.stack)) {
        tableProblem("stack", `route table: stack name ${JSON.stringify(table.stack)} must be letters, digits, ".", "_" or "-"`);
    }
    for (const key of ["httpPort", "httpsPort"] as const) {
        if (!isPort(table[key])) tableProblem(key, `route table: ${key} must be an integer from 1 to 65535, got ${String(table[key])}`);
    }
    if (table.httpPort === table.httpsPort) tableProblem("httpsPort", `route table: httpPort and httpsPort are both ${table.httpPort}`);

    // Hostname → first entry using it; every name must be unique across HTTP and TCP routes,
    // because each one becomes exactly one DNS record and one Caddy site or frp proxy.
    const hostOwners = new Map<string, string>();
    const claimHostname = (at: RouteProblemSite, entry: string, hostname: string): void => {
        const key = hostname.toLowerCase();
        const owner = hostOwners.get(key);
        if (owner === undefined) hostOwners.set(key, entry);
        else problems.push({ message: `${entry}: hostname is already used by ${owner}`, at });
    };

    table.http.forEach((route, index) => {
        const at = { kind: "http", index } as const;
        const entry = describeEntry("http", index, route);
        problems.push(...commonProblems(route).map((problem) => ({ message: `${entry}: ${problem}`, at })));
        const maxBody = route.maxRequestBodyMiB;
        if (maxBody !== undefined && !(Number.isSafeInteger(maxBody) && maxBody >= 1)) {
            problems.push({ message: `${entry}: maxRequestBodyMiB must be a whole number of MiB ≥ 1, got ${String(maxBody)}`, at });
        }
        claimHostname(at, entry, route.hostname);
    });

    const remotePortOwners = new Map<number, string>();
    table.tcp.forEach((route, index) => {
        const at = { kind: "tcp", index } as const;
        const portAt = { kind: "tcp", index, field: "remotePort" } as const;
        const entry = describeEntry("tcp", index, route);
        problems.push(...commonProblems(route).map((problem) => ({ message: `${entry}: ${problem}`, at })));
        if (!isPort(route.remotePort)) {
            problems.push({ message: `${entry}: remotePort must be an integer from 1 to 65535, got ${String(route.remotePort)}`, at: portAt });
        } else {
            const owner = remotePortOwners.get(route.remotePort);
            if (owner === undefined) remotePortOwners.set(route.remotePort, entry);
            else problems.push({ message: `${entry}: remotePort ${route.remotePort} is already used by ${owner}`, at: portAt });
        }
        claimHostname(at, entry, route.hostname);
    });
    return problems;
}

/** The sentences of routeTableProblems. */
export function validateRouteTable(table: RouteTable): string[] {
    return routeTableProblems(table).map((p) => p.message);
}

/** Throws one Error listing every problem of the table; the renderers call it before interpolating anything. */
export function assertValidRouteTable(table: RouteTable): void {
    const errors = validateRouteTable(table);
    if (errors.length > 0) {
        throw new Error(`invalid route table for stack ${JSON.stringify(table.stack)}:\n  - ${errors.join("\n  - ")}`);
    }
}

/**
 * Problems that only show when several stacks share one relay: frps routes vhosts by
 * hostname and opens TCP remote ports for every client, so both must be unique across all
 * the stacks' tables, not just within one. Each table should also pass validateRouteTable.
 */
export function validateSharedRelay(tables: readonly RouteTable[]): string[] {
    const errors: string[] = [];
    const stacks = new Set<string>();
    const hostOwners = new Map<string, Owner>();
    const portOwners = new Map<number, Owner>();
    // Collisions inside one table are validateRouteTable's to report; only cross-stack ones count here.
    const claim = <K>(owners: Map<K, Owner>, key: K, claimant: Owner, what: string): void => {
        const owner = owners.get(key);
        if (owner === undefined) owners.set(key, claimant);
        else if (owner.stack !== claimant.stack) errors.push(`${claimant.entry}: ${what} is already used by ${owner.entry}`);
    };
    for (const table of tables) {
        if (stacks.has(table.stack)) errors.push(`stack ${JSON.stringify(table.stack)} appears more than once`);
        stacks.add(table.stack);
        table.http.forEach((route, index) => {
            const claimant = { stack: table.stack, entry: `stack ${table.stack}: ${describeEntry("http", index, route)}` };
            claim(hostOwners, route.hostname.toLowerCase(), claimant, "hostname");
        });
        table.tcp.forEach((route, index) => {
            const claimant = { stack: table.stack, entry: `stack ${table.stack}: ${describeEntry("tcp", index, route)}` };
            claim(hostOwners, route.hostname.toLowerCase(), claimant, "hostname");
            claim(portOwners, route.remotePort, claimant, `remotePort ${route.remotePort}`);
        });
    }
    return errors;
}

interface Owner {
    readonly stack: string;
    readonly entry: string;
}

function describeEntry(kind: "http" | "tcp", index: number, route: HttpRoute | TcpRoute): string {
    return `${kind} route #${index} (route ${JSON.stringify(route.name)}, hostname ${JSON.stringify(route.hostname)})`;
}

function commonProblems(route: HttpRoute | TcpRoute): string[] {
    const problems: string[] = [];
    if (route.name.length === 0) problems.push("route name is empty");
    const hostname = hostnameProblem(route.hostname);
    if (hostname !== undefined) problems.push(hostname);
    const { host, port } = route.upstream;
    if (host.length === 0) {
        problems.push("upstream host is empty");
    } else if (!UPSTREAM_HOST.test(host)) {
        problems.push(`upstream host ${JSON.stringify(host)} is not a container name or IPv4 address`);
    }
    if (!isPort(port)) problems.push(`upstream port must be an integer from 1 to 65535, got ${String(port)}`);
    return problems;
}
