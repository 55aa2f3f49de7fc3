import { describe, expect, it } from "vitest";
import type { OfflineResource } from "../../policies/offline";
import { runPolicyPack } from "../../policies/offline";
import { compliantStack, policiesOf, withChange } from "./fixture";

const POLICY = "docker-container-forbid-exposed-datastore";
const base = compliantStack();

const cases: [string, string, (r: OfflineResource) => void, string[]][] = [
    [
        "a published PostgreSQL port",
        "postgres",
        (r) => (r.props.ports = [{ internal: 5432, external: 5432 }]),
        ["data store container 'postgres' publishes host port 5432"],
    ],
    [
        "a port bound to loopback only",
        "postgres",
        (r) => (r.props.ports = [{ internal: 5432, external: 15432, ip: "127.0.0.1" }]),
        ["publishes host port 15432"],
    ],
    [
        "Redis (recognised by its image) publishing a port",
        "redis",
        (r) => (r.props.ports = [{ internal: 6379 }]),
        ["container 'redis' publishes host port 6379"],
    ],
    ["publishAllPorts", "postgres", (r) => (r.props.publishAllPorts = true), ["sets publishAllPorts"]],
    [
        "a data store also on the edge network",
        "postgres",
        (r) => (r.props.networksAdvanced = [...(r.props.networksAdvanced as object[]), { name: "nexora-dev-edge" }]),
        ["network 'nexora-dev-edge'", "not an internal network of this stack"],
    ],
    ["a network that is not a resource of the stack", "redis", (r) => (r.props.networksAdvanced = [{ name: "shared-data" }]), ["network 'shared-data'"]],
    ["no networks (default bridge)", "postgres", (r) => delete r.props.networksAdvanced, ["joins Docker's default bridge network"]],
    ["the host network", "postgres", (r) => (r.props.networkMode = "host"), ["uses the host network"]],
    [
        "a container labelled nexora.role=datastore on the edge network",
        "pyerp",
        (r) => (r.props.labels = [...(r.props.labels as object[]), { label: "nexora.role", value: "datastore" }]),
        ["data store container 'pyerp'", "network 'nexora-dev-edge'"],
    ],
];

describe(POLICY, () => {
    it("passes the compliant stack", () => {
        expect(runPolicyPack(base).filter((v) => v.policy === POLICY)).toEqual([]);
    });

    it.each(cases)("catches %s", (_title, name, change, fragments) => {
        const stack = withChange(base, name, change);
        const violations = runPolicyPack(stack);
        expect(policiesOf(violations)).toEqual([POLICY]);
        expect(violations).toHaveLength(1);
        expect(violations[0]).toMatchObject({ level: "mandatory", urn: stack.find((r) => r.name === name)?.urn });
        for (const fragment of fragments) {
            expect(violations[0].message).toContain(fragment);
        }
    });

    it("catches every data store when their network is not internal", () => {
        const violations = runPolicyPack(withChange(base, "data-network", (r) => (r.props.internal = false)));
        expect(policiesOf(violations)).toEqual([POLICY]);
        expect(violations.map((v) => v.urn.split("::").pop()).sort()).toEqual(["postgres", "redis"]);
    });

    it("recognises a data store run from RemoteImage.imageId", () => {
        const imageId = `sha256:${"ab12".repeat(16)}`;
        let stack = withChange(base, "postgres-image", (r) => (r.props.imageId = imageId));
        stack = withChange(stack, "postgres", (r) => {
            r.props.image = imageId;
            r.props.labels = [{ label: "nexora.service", value: "postgres" }];
            r.props.ports = [{ internal: 5432, external: 5432 }];
        });
        expect(runPolicyPack(stack).map((v) => v.policy)).toEqual([POLICY]);
    });

    it("recognises mysql, mariadb and valkey images with registry and digest", () => {
        for (const image of ["mysql:8.4", "docker.io/library/mariadb:11.4", "valkey/valkey:8.0@sha256:" + "0".repeat(64)]) {
            const stack = withChange(base, "pyerp", (r) => (r.props.image = image));
            expect(policiesOf(runPolicyPack(stack))).toEqual([POLICY]);
        }
    });
});
