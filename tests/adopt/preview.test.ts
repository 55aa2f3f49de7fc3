import { describe, expect, it } from "vitest";
import { createdVolumes, statefulChanges } from "../../tools/adopt/preview";

const urn = (type: string, name: string) => `urn:pulumi:prod::nexora::nexora:platform:Platform$${type}::${name}`;
const vol = urn("docker:index/volume:Volume", "postgres-data");
const doc = (steps: unknown[]) => JSON.stringify({ steps, changeSummary: {} });

describe("preview check", () => {
    it("names a replaced volume with the inputs that force it", () => {
        const text = doc([
            { op: "create", urn: urn("docker:index/container:Container", "portal"), newState: { type: "docker:index/container:Container" } },
            {
                op: "replace",
                urn: vol,
                oldState: { type: "docker:index/volume:Volume", protect: true },
                newState: { type: "docker:index/volume:Volume", protect: true },
                replaceReasons: ["labels"],
            },
            { op: "create-replacement", urn: vol, newState: { type: "docker:index/volume:Volume" } },
        ]);
        expect(statefulChanges(text)).toEqual([{ urn: vol, op: "replace", reasons: ["labels"] }]);
    });

    it("counts an import reconciled into a replacement, deletes of protected resources, and nothing harmless", () => {
        const db = urn("command:local:Command", "postgres-provisioning");
        const text = doc([
            { op: "import-replacement", urn: vol, newState: { type: "docker:index/volume:Volume" } },
            { op: "delete", urn: db, oldState: { type: "command:local:Command", protect: true } },
            { op: "replace", urn: urn("docker:index/container:Container", "redis"), newState: { type: "docker:index/container:Container" } },
            { op: "update", urn: vol, newState: { type: "docker:index/volume:Volume" } },
            { op: "same", urn: vol },
        ]);
        expect(statefulChanges(text).map((c) => c.op)).toEqual(["import-replacement", "delete"]);
    });

    it("counts a replacement of a resource the same preview imports (an adopted OAuth application, a DNS record), not an in-place update", () => {
        const app = urn("gitlab:index/application:Application", "identity-outline-app");
        const record = urn("cloudflare:index/dnsRecord:DnsRecord", "dns-gitlab");
        const other = urn("gitlab:index/application:Application", "identity-grafana-app");
        const text = doc([
            { op: "import", urn: app, newState: { type: "gitlab:index/application:Application" } },
            { op: "replace", urn: app, newState: { type: "gitlab:index/application:Application" }, replaceReasons: ["redirectUrl"] },
            { op: "import", urn: record, newState: { type: "cloudflare:index/dnsRecord:DnsRecord" } },
            { op: "update", urn: record, newState: { type: "cloudflare:index/dnsRecord:DnsRecord" }, diffReasons: ["content"] },
            { op: "replace", urn: other, newState: { type: "gitlab:index/application:Application" } },
        ]);
        expect(statefulChanges(text)).toEqual([{ urn: app, op: "replace", reasons: ["redirectUrl"] }]);
    });

    it("takes the type from the URN when the step carries no state", () => {
        expect(statefulChanges(doc([{ op: "delete", urn: vol }]))).toHaveLength(1);
    });

    it("refuses what is no preview document", () => {
        expect(() => statefulChanges("error: no stack")).toThrow(/no JSON/);
        expect(() => statefulChanges("{}")).toThrow(/no steps/);
        expect(createdVolumes(doc([{ op: "create", urn: vol }]))).toEqual([vol]);
    });
});
