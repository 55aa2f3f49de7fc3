import { describe, expect, it } from "vitest";
import type { OfflineResource } from "../../policies/offline";
import { runPolicyPack } from "../../policies/offline";
import { compliantStack, policiesOf, withChange } from "./fixture";

const POLICY = "docker-container-restrict-docker-socket";
const base = compliantStack();

const cases: [string, string, (r: OfflineResource) => void, string][] = [
    [
        "a bind mount of the socket into an app",
        "pyerp",
        (r) => (r.props.mounts = [{ type: "bind", source: "/var/run/docker.sock", target: "/var/run/docker.sock" }]),
        "via mounts[0] ('/var/run/docker.sock')",
    ],
    [
        "the /run/docker.sock path via volumes",
        "pyerp",
        (r) => (r.props.volumes = [{ hostPath: "/run/docker.sock", containerPath: "/docker.sock" }]),
        "via volumes[0]",
    ],
    ["the directory holding the socket", "outline", (r) => (r.props.volumes = [{ hostPath: "/var/run/", containerPath: "/host-run" }]), "('/var/run/')"],
    ["the host root", "outline", (r) => (r.props.mounts = [{ type: "bind", source: "/", target: "/host" }]), "('/')"],
    [
        "Portainer relabelled as another service",
        "portainer",
        (r) => (r.props.labels = [{ label: "nexora.service", value: "portainer-agent" }]),
        "its nexora.service label ('portainer-agent') is not in dockerSocketAllowed",
    ],
    ["Portainer without its label", "portainer", (r) => (r.props.labels = []), "label (absent)"],
];

describe(POLICY, () => {
    it("passes the compliant stack (Portainer mounts the socket)", () => {
        expect(runPolicyPack(base).filter((v) => v.policy === POLICY)).toEqual([]);
    });

    it.each(cases)("catches %s", (_title, name, change, fragment) => {
        const violations = runPolicyPack(withChange(base, name, change));
        expect(policiesOf(violations)).toEqual([POLICY]);
        expect(violations).toHaveLength(1);
        expect(violations[0].level).toBe("mandatory");
        expect(violations[0].message).toContain(fragment);
    });

    it("ignores volume mounts whose source is a volume name, and unrelated host paths", () => {
        const stack = withChange(base, "pyerp", (r) => {
            r.props.mounts = [{ type: "volume", source: "docker.sock", target: "/data" }];
            r.props.volumes = [{ hostPath: "/var/lib/nexora/pyerp", containerPath: "/data" }];
        });
        expect(runPolicyPack(stack)).toEqual([]);
    });

    it("applies dockerSocketAllowed from the config", () => {
        const violations = runPolicyPack(base, { dockerSocketAllowed: ["gitlab-runner"] });
        expect(policiesOf(violations)).toEqual([POLICY]);
        expect(violations[0].message).toContain("container 'portainer'");
        const runner = withChange(base, "pyerp", (r) => {
            r.props.labels = [{ label: "nexora.service", value: "gitlab-runner" }];
            r.props.mounts = [{ type: "bind", source: "/var/run/docker.sock", target: "/var/run/docker.sock" }];
        });
        expect(runPolicyPack(runner).filter((v) => v.policy === POLICY)).toEqual([]);
    });
});
