import { describe, expect, it } from "vitest";
import type { OfflineResource } from "../../policies/offline";
import { runPolicyPack } from "../../policies/offline";
import { compliantStack, generatePassword, policiesOf, setEnv, withChange } from "./fixture";

const POLICY = "credentials-resource-flag-plaintext-literals";
const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const base = compliantStack();

const cases: [string, string, (r: OfflineResource) => void, string][] = [
    [
        "a GitLab token in a label",
        "pyerp",
        (r) => (r.props.labels = [...(r.props.labels as object[]), { label: "ci.note", value: `glpat-${generatePassword(20, ALNUM)}` }]),
        "GitLab personal/project/group access token",
    ],
    [
        "a GitHub token in a plain env",
        "pyerp",
        (r) => setEnv(r, "UPSTREAM", `ghp_${generatePassword(36, ALNUM)}`),
        "envs[UPSTREAM] contains what looks like a GitHub token",
    ],
    [
        "an AWS key id in a command script",
        "outline-database",
        (r) => (r.props.create = `aws s3 cp s3://b/x . --profile AKIA${generatePassword(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")}`),
        "AWS access key id",
    ],
    ["a Slack token", "pyerp", (r) => setEnv(r, "NOTIFY", `xoxb-${generatePassword(24, ALNUM)}`), "Slack token"],
    [
        "a private key in an uploaded file",
        "pyerp",
        (r) => (r.props.uploads = [{ file: "/app/deploy", content: "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----\n" }]),
        "uploads[0].content contains what looks like a private key",
    ],
    // A fixed token: the entropy heuristic misses a small share of random ones by design (advisory).
    [
        "a random-looking literal in a plain env",
        "pyerp",
        (r) => setEnv(r, "BUILD_ARG", "q8Z#vR2m!Lx7@Tp4%Wk9&Hc3*Nb6-Jd1"),
        "envs[BUILD_ARG] contains a high-entropy literal",
    ],
];

describe(POLICY, () => {
    it("passes the compliant stack (tokens under credential names are the weak-secret policy's)", () => {
        expect(runPolicyPack(base).filter((v) => v.policy === POLICY)).toEqual([]);
    });

    it.each(cases)("flags %s, as advisory", (_title, name, change, fragment) => {
        const violations = runPolicyPack(withChange(base, name, change));
        expect(policiesOf(violations)).toEqual([POLICY]);
        expect(violations).toHaveLength(1);
        expect(violations[0].level).toBe("advisory");
        expect(violations[0].message).toContain(fragment);
    });

    it.each([
        ["an image digest", `postgres@sha256:${"a".repeat(64)}`],
        ["a 64-hex id", "0123456789abcdef".repeat(4)],
        ["a UUID", "5e1f0c4a-9b2d-4c3e-8f7a-1b2c3d4e5f60"],
        ["a bcrypt hash", "$2y$05$" + generatePassword(53, `${ALNUM}./`)],
        ["a long English identifier", "NexoraPlatformDevelopmentStack2026"],
        ["a released container's name", "nexora-dev-portal-c13992a7"],
        ["a released container's upstream", "nexora-staging-erp-dev-0a9f3e1c:8000"],
    ])("does not flag %s", (_title, value) => {
        const violations = runPolicyPack(withChange(base, "pyerp", (r) => setEnv(r, "SOME_VALUE", value)));
        expect(violations.filter((v) => v.policy === POLICY)).toEqual([]);
    });
});
