// The review tool's pure rules: MR numbers, image references, durations and the names derived from them.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { APP_KEY } from "../../components/config/apps";
import { parseImageRef } from "../../components/images";
import {
    parseDuration,
    parseMrNumber,
    parseReviewStackName,
    reviewDatabaseName,
    reviewDockerStack,
    reviewHostname,
    reviewImageProblem,
    reviewNameCollisions,
    reviewNetworkNames,
    reviewStackName,
} from "../../components/review/names";
import { renderMysqlProvisioning } from "../../components/mysql/sql";
import { hostnameProblem } from "../../components/validators";

const RUNS = { numRuns: 300 };
const appKey = fc.stringMatching(/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/);
const mr = fc.integer({ min: 1, max: 9_999_999 });

describe("parseMrNumber", () => {
    it("takes GitLab IIDs and refuses everything else", () => {
        expect(parseMrNumber("1")).toBe(1);
        expect(parseMrNumber("4711")).toBe(4711);
        for (const bad of ["", "0", "-1", "+3", "012", "1.5", "1e3", "12a", " 12", "12 ", "$(id)", "9999999999", "0x10"]) {
            expect(parseMrNumber(bad), bad).toBeUndefined();
        }
    });

    it("round-trips every number it allows, and nothing it returns is outside 1..9999999", () => {
        fc.assert(
            fc.property(mr, (n) => parseMrNumber(String(n)) === n),
            RUNS,
        );
        fc.assert(
            fc.property(fc.string(), (s) => {
                const n = parseMrNumber(s);
                return n === undefined || (Number.isInteger(n) && n >= 1 && n <= 9_999_999 && String(n) === s);
            }),
            RUNS,
        );
    });
});

describe("reviewImageProblem", () => {
    it("accepts pinned references and names what is wrong with the others", () => {
        expect(reviewImageProblem("registry.example.com/erp/ledger:mr-12-3f2a9c1")).toBeUndefined();
        expect(reviewImageProblem("nexora-e2e/business-app:1.0.0")).toBeUndefined();
        expect(reviewImageProblem(`ledger@sha256:${"a".repeat(64)}`)).toBeUndefined();
        expect(reviewImageProblem("ledger")).toMatch(/no tag or digest/);
        expect(reviewImageProblem("ledger:latest")).toMatch(/latest/);
        for (const bad of ["", "Ledger:1", "ledger:1 ; rm -rf /", "ledger:$(id)", "ledger:1\nx", "-ledger:1", "ledger::1", "ledger:1@sha256:abc"]) {
            expect(reviewImageProblem(bad), bad).toMatch(/is not an image reference/);
        }
    });

    it("never accepts a reference with shell or YAML syntax in it, whatever the string", () => {
        fc.assert(
            fc.property(
                fc.string({ maxLength: 80 }),
                (s) => reviewImageProblem(s) !== undefined || (!/[\s$`'"\\;|&<>(){}*?[\]#!]/.test(s) && parseImageRef(s) !== undefined),
            ),
            RUNS,
        );
    });
});

describe("parseDuration", () => {
    it("reads minutes, hours, days and weeks", () => {
        expect(parseDuration("90m")).toBe(5400);
        expect(parseDuration("36h")).toBe(129600);
        expect(parseDuration("7d")).toBe(604800);
        expect(parseDuration("2w")).toBe(1209600);
        for (const bad of ["", "7", "d", "0d", "7D", "1.5h", "7 d", "-1d", "7days", "1y"]) expect(parseDuration(bad), bad).toBeUndefined();
    });
});

describe("the names of a review", () => {
    it("are review-<app>-mr<n> for the stack, and parse back", () => {
        expect(reviewStackName({ app: "ledger", mr: 12 })).toBe("review-ledger-mr12");
        fc.assert(
            fc.property(appKey, mr, (app, n) => {
                const name = reviewStackName({ app, mr: n });
                const back = parseReviewStackName(name);
                // Pulumi stack names: letters, digits, hyphens, at most 100.
                return /^[a-z0-9-]{1,100}$/.test(name) && back !== undefined && back.app === app && back.mr === n;
            }),
            RUNS,
        );
        for (const other of ["dev", "dev-e2e", "review-ledger", "review-ledger-mr0", "review-Ledger-mr1", "review--mr1"])
            expect(parseReviewStackName(other), other).toBeUndefined();
    });

    it("give distinct reviews distinct Docker names, never the host's own", () => {
        const a = reviewNetworkNames({ hostStack: "dev", app: "ledger", mr: 1 });
        const b = reviewNetworkNames({ hostStack: "dev", app: "ledger", mr: 2 });
        expect(a).toEqual({ web: "nexora-dev-mr1-ledger-web", data: "nexora-dev-mr1-ledger-data" });
        expect(new Set([a.web, a.data, b.web, b.data]).size).toBe(4);
        expect(reviewDockerStack({ hostStack: "dev", mr: 7 })).toBe("dev-mr7");
        fc.assert(
            fc.property(appKey, mr, appKey, mr, (app1, mr1, app2, mr2) => {
                fc.pre(app1 !== app2 || mr1 !== mr2);
                const n1 = reviewNetworkNames({ hostStack: "dev", app: app1, mr: mr1 });
                const n2 = reviewNetworkNames({ hostStack: "dev", app: app2, mr: mr2 });
                // Network names end in -web/-data; an app key never ends in "-web" AND also equals another's prefix with the same MR.
                return n1.web !== n2.web || app1.endsWith("-web") || app2.endsWith("-web");
            }),
            RUNS,
        );
    });

    it("give a database and user MySQL accepts, distinct per MR and never a host app's own", () => {
        expect(reviewDatabaseName("ledger", 12)).toBe("mr12_ledger");
        fc.assert(
            fc.property(appKey, mr, (app, n) => {
                const name = reviewDatabaseName(app, n);
                // renderMysqlProvisioning throws on a name MySQL would refuse.
                renderMysqlProvisioning([{ user: name, database: name, password: "Xy7".repeat(10) }]);
                return name.length <= 32 && name.startsWith(`mr${n}_`) && name !== app.replace(/-/g, "_");
            }),
            RUNS,
        );
        const long = "a".repeat(32);
        expect(reviewDatabaseName(long, 1)).not.toBe(reviewDatabaseName(long.slice(0, 31) + "b", 1));
    });

    it("refuse host apps named like reviews", () => {
        expect(reviewNameCollisions(["ledger", "mr12-ledger", "mrx-a", "mr1-x"])).toEqual(["mr12-ledger", "mr1-x"]);
        fc.assert(
            fc.property(appKey, mr, (app, n) => APP_KEY.test(app) && reviewNameCollisions([`mr${n}-${app}`]).length === 1),
            RUNS,
        );
    });

    it("put the hostname under the host's pattern, or say why it cannot be one", () => {
        expect(reviewHostname({ hostnamePattern: "dev-{service}.{domain}", baseDomain: "nexora.restry.cn" }, 12, "ledger")).toEqual({
            hostname: "dev-mr12-ledger.nexora.restry.cn",
        });
        const tooLong = reviewHostname({ hostnamePattern: "dev-{service}.{domain}", baseDomain: "nexora.restry.cn" }, 1234567, "a".repeat(52));
        expect(tooLong).toEqual({ problem: expect.stringMatching(/more than 63/) });
        fc.assert(
            fc.property(appKey, mr, (app, n) => {
                const r = reviewHostname({ hostnamePattern: "rv-{service}.{domain}", baseDomain: "example.test" }, n, app);
                return "hostname" in r ? hostnameProblem(r.hostname) === undefined : r.problem.length > 0;
            }),
            RUNS,
        );
    });
});
