import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { OfflineResource, runPolicyPack } from "../../policies/offline";

const command = (stdin: string): OfflineResource => ({
    urn: "urn:pulumi:staging::nexora::nexora:runner:GitlabRunner$command:local:Command::gitlab-runner-register",
    type: "command:local:Command",
    name: "gitlab-runner-register",
    props: {
        create: "docker exec -i nexora-staging-gitlab-runner sh -c 'read -r CI_SERVER_TOKEN'",
        stdin,
        environment: { DOCKER_HOST: "ssh://deploy@claw-bot" },
    },
    protect: false,
});

describe("a command's single-line stdin", () => {
    it("is a credential channel: a generated token passes without an advisory", () => {
        expect(runPolicyPack([command(`glrt-${randomBytes(20).toString("hex")}`)])).toEqual([]);
    });

    it("is judged for strength: a weak one is a mandatory violation naming stdin, not the value", () => {
        const violations = runPolicyPack([command("changeme")]);
        expect(violations.map((v) => [v.policy, v.level])).toEqual([["credentials-resource-forbid-weak-secrets", "mandatory"]]);
        expect(violations[0]!.message).toContain("stdin");
        expect(violations[0]!.message).not.toContain("changeme");
    });
});
