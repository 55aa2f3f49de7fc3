import { describe, expect, it } from "vitest";
import type { HttpRoute, RouteTable, TcpRoute } from "../../components/edge/types";
import { assertValidRouteTable, hostnameProblem, routeTableProblems, validateRouteTable, validateSharedRelay } from "../../components/edge/validate";
import { devTable, prodTable, stagingTable } from "./fixtures";

/** prodTable with its first HTTP route changed. */
function withHttp0(change: Partial<HttpRoute>): RouteTable {
    return { ...prodTable, http: [{ ...prodTable.http[0]!, ...change }, ...prodTable.http.slice(1)] };
}

/** prodTable with its TCP route changed. */
function withTcp0(change: Partial<TcpRoute>): RouteTable {
    return { ...prodTable, tcp: [{ ...prodTable.tcp[0]!, ...change }] };
}

describe("routeTableProblems", () => {
    it("says where each problem is as data, not only in its sentence", () => {
        const tcpPort = prodTable.tcp[0]!.remotePort;
        const table: RouteTable = {
            ...prodTable,
            httpPort: 0,
            http: [prodTable.http[0]!, { ...prodTable.http[1]!, hostname: prodTable.http[0]!.hostname }, ...prodTable.http.slice(2)],
            tcp: [prodTable.tcp[0]!, { ...prodTable.tcp[0]!, name: "other", hostname: "other.nexora.restry.cn", remotePort: tcpPort }],
        };
        expect(routeTableProblems(table).map((p) => p.at)).toEqual([
            { kind: "table", field: "httpPort" },
            { kind: "http", index: 1 },
            { kind: "tcp", index: 1, field: "remotePort" },
        ]);
        expect(routeTableProblems(table).map((p) => p.message)).toEqual(validateRouteTable(table));
    });
});

describe("validateRouteTable", () => {
    it("accepts the realistic table of every stack", () => {
        for (const table of [devTable, stagingTable, prodTable]) expect(validateRouteTable(table)).toEqual([]);
    });

    it("accepts an empty table", () => {
        expect(validateRouteTable({ stack: "dev", httpPort: 80, httpsPort: 443, http: [], tcp: [] })).toEqual([]);
    });

    it("rejects Caddy ports out of range or equal", () => {
        expect(validateRouteTable({ stack: "dev", httpPort: 0, httpsPort: 65536, http: [], tcp: [] })).toEqual([
            "route table: httpPort must be an integer from 1 to 65535, got 0",
            "route table: httpsPort must be an integer from 1 to 65535, got 65536",
        ]);
        expect(validateRouteTable({ stack: "dev", httpPort: 8443, httpsPort: 8443, http: [], tcp: [] })).toEqual([
            "route table: httpPort and httpsPort are both 8443",
        ]);
    });

    // Each bad table differs from prodTable in one place; the error must name that entry and say what is wrong.
    const badTables: [string, RouteTable, string, RegExp][] = [
        [
            "uppercase label",
            withHttp0({ hostname: "GitLab.nexora.restry.cn" }),
            'http route #0 (route "gitlab", hostname "GitLab.nexora.restry.cn")',
            /label "GitLab"/,
        ],
        ["underscore", withHttp0({ hostname: "git_lab.nexora.restry.cn" }), "http route #0", /label "git_lab"/],
        ["leading hyphen", withHttp0({ hostname: "-gitlab.nexora.restry.cn" }), "http route #0", /label "-gitlab"/],
        ["trailing hyphen", withHttp0({ hostname: "gitlab-.nexora.restry.cn" }), "http route #0", /label "gitlab-"/],
        ["wildcard", withHttp0({ hostname: "*.nexora.restry.cn" }), "http route #0", /label "\*"/],
        ["space", withHttp0({ hostname: "git lab.nexora.restry.cn" }), "http route #0", /label "git lab"/],
        ["empty label", withHttp0({ hostname: "gitlab..restry.cn" }), "http route #0", /empty label/],
        ["trailing dot", withHttp0({ hostname: "gitlab.nexora.restry.cn." }), "http route #0", /empty label/],
        ["empty hostname", withHttp0({ hostname: "" }), "http route #0", /hostname is empty/],
        ["64-char label", withHttp0({ hostname: `${"a".repeat(64)}.nexora.restry.cn` }), "http route #0", /64 characters long, more than 63/],
        ["254-char name", withHttp0({ hostname: `${"a.".repeat(126)}cn` }), "http route #0", /254 characters long, more than 253/],
        ["IP address", withHttp0({ hostname: "10.0.0.1" }), "http route #0", /all-numeric/],
        ["non-ASCII", withHttp0({ hostname: "gitläb.nexora.restry.cn" }), "http route #0", /label "gitläb"/],
        ["empty upstream host", withHttp0({ upstream: { host: "", port: 80 } }), "http route #0", /upstream host is empty/],
        ["upstream host with a brace", withHttp0({ upstream: { host: "gitlab{", port: 80 } }), "http route #0", /upstream host "gitlab\{"/],
        ["upstream host with a newline", withHttp0({ upstream: { host: "gitlab\nadmin off", port: 80 } }), "http route #0", /not a container name/],
        ["upstream port 0", withHttp0({ upstream: { host: "gitlab", port: 0 } }), "http route #0", /upstream port .* got 0/],
        ["upstream port 65536", withHttp0({ upstream: { host: "gitlab", port: 65536 } }), "http route #0", /got 65536/],
        ["fractional upstream port", withHttp0({ upstream: { host: "gitlab", port: 80.5 } }), "http route #0", /got 80.5/],
        ["NaN upstream port", withHttp0({ upstream: { host: "gitlab", port: Number.NaN } }), "http route #0", /got NaN/],
        ["zero body limit", withHttp0({ maxRequestBodyMiB: 0 }), "http route #0", /maxRequestBodyMiB .* got 0/],
        ["fractional body limit", withHttp0({ maxRequestBodyMiB: 1.5 }), "http route #0", /maxRequestBodyMiB .* got 1.5/],
        ["empty route name", withHttp0({ name: "" }), 'http route #0 (route ""', /route name is empty/],
        ["remotePort 0", withTcp0({ remotePort: 0 }), 'tcp route #0 (route "gitlab-ssh", hostname "ssh.nexora.restry.cn")', /remotePort .* got 0/],
        ["remotePort 70000", withTcp0({ remotePort: 70000 }), "tcp route #0", /remotePort .* got 70000/],
        ["tcp upstream port", withTcp0({ upstream: { host: "nexora-prod-gitlab", port: -22 } }), "tcp route #0", /upstream port .* got -22/],
        ["tcp empty upstream host", withTcp0({ upstream: { host: "", port: 22 } }), "tcp route #0", /upstream host is empty/],
        ["tcp bad hostname", withTcp0({ hostname: "ssh..nexora.restry.cn" }), "tcp route #0", /empty label/],
        ["stack with a newline", { ...prodTable, stack: "prod\n{" }, "route table", /stack name/],
    ];

    it.each(badTables)("rejects %s, naming the entry", (_case, table, entry, problem) => {
        const errors = validateRouteTable(table);
        expect(errors).toHaveLength(1);
        expect(errors[0]!.startsWith(entry)).toBe(true);
        expect(errors[0]).toMatch(problem);
    });

    it("rejects a hostname used by two HTTP routes, naming both", () => {
        const table = withHttp0({ hostname: prodTable.http[1]!.hostname });
        expect(validateRouteTable(table)).toEqual([
            'http route #1 (route "outline", hostname "outline.nexora.restry.cn"): hostname is already used by ' +
                'http route #0 (route "gitlab", hostname "outline.nexora.restry.cn")',
        ]);
    });

    it("rejects a TCP route on an HTTP route's hostname", () => {
        const errors = validateRouteTable(withTcp0({ hostname: "gitlab.nexora.restry.cn" }));
        expect(errors).toEqual([
            'tcp route #0 (route "gitlab-ssh", hostname "gitlab.nexora.restry.cn"): hostname is already used by ' +
                'http route #0 (route "gitlab", hostname "gitlab.nexora.restry.cn")',
        ]);
    });

    it("rejects two TCP routes on one hostname or one remote port", () => {
        const second: TcpRoute = { ...prodTable.tcp[0]!, name: "other-ssh", upstream: { host: "other", port: 22 } };
        const errors = validateRouteTable({ ...prodTable, tcp: [prodTable.tcp[0]!, second] });
        expect(errors).toEqual([
            'tcp route #1 (route "other-ssh", hostname "ssh.nexora.restry.cn"): remotePort 2222 is already used by ' +
                'tcp route #0 (route "gitlab-ssh", hostname "ssh.nexora.restry.cn")',
            'tcp route #1 (route "other-ssh", hostname "ssh.nexora.restry.cn"): hostname is already used by ' +
                'tcp route #0 (route "gitlab-ssh", hostname "ssh.nexora.restry.cn")',
        ]);
    });

    it("reports every problem of a table, not just the first", () => {
        const table: RouteTable = {
            ...prodTable,
            http: [{ ...prodTable.http[0]!, hostname: "Bad", upstream: { host: "", port: 0 } }, ...prodTable.http.slice(1)],
        };
        expect(validateRouteTable(table)).toHaveLength(3);
    });
});

describe("hostnameProblem", () => {
    it("accepts boundary-length names and labels", () => {
        expect(hostnameProblem(`${"a".repeat(63)}.nexora.restry.cn`)).toBeUndefined();
        expect(hostnameProblem(`${"a.".repeat(125)}abc`)).toBeUndefined(); // 253 characters
        expect(hostnameProblem("erp-dev.nexora.restry.cn")).toBeUndefined();
        expect(hostnameProblem("1password.nexora.restry.cn")).toBeUndefined();
    });
});

describe("assertValidRouteTable", () => {
    it("throws one error listing every problem", () => {
        const table = withHttp0({ hostname: "Bad", upstream: { host: "", port: 80 } });
        expect(() => assertValidRouteTable(table)).toThrow(
            /invalid route table for stack "prod":\n {2}- http route #0.*label "Bad".*\n {2}- http route #0.*upstream host is empty/s,
        );
    });

    it("passes a valid table", () => {
        expect(() => assertValidRouteTable(prodTable)).not.toThrow();
    });
});

describe("validateSharedRelay", () => {
    it("accepts the three stacks side by side", () => {
        expect(validateSharedRelay([devTable, stagingTable, prodTable])).toEqual([]);
    });

    it("rejects a hostname or SSH remote port claimed by two stacks", () => {
        const clash: RouteTable = {
            ...stagingTable,
            http: [{ ...stagingTable.http[0]!, hostname: "gitlab.nexora.restry.cn" }, ...stagingTable.http.slice(1)],
            tcp: [{ ...stagingTable.tcp[0]!, remotePort: 2222 }],
        };
        expect(validateSharedRelay([prodTable, clash])).toEqual([
            'stack staging: http route #0 (route "gitlab", hostname "gitlab.nexora.restry.cn"): hostname is already used by ' +
                'stack prod: http route #0 (route "gitlab", hostname "gitlab.nexora.restry.cn")',
            'stack staging: tcp route #0 (route "gitlab-ssh", hostname "staging-ssh.nexora.restry.cn"): remotePort 2222 is already used by ' +
                'stack prod: tcp route #0 (route "gitlab-ssh", hostname "ssh.nexora.restry.cn")',
        ]);
    });

    it("rejects the same stack twice and leaves in-table duplicates to validateRouteTable", () => {
        const inTableDuplicate = withHttp0({ hostname: prodTable.http[1]!.hostname });
        expect(validateSharedRelay([inTableDuplicate])).toEqual([]);
        expect(validateSharedRelay([devTable, devTable])).toContain('stack "dev" appears more than once');
    });
});
