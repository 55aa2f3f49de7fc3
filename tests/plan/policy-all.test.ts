import { describe, expect, it } from "vitest";
import { stackReport } from "../../tools/plan/policy-all";

describe("npm run policy reads each stack's plan --json document", () => {
    it("counts the document's violations by level and lists each", () => {
        const doc = {
            stack: "dev",
            resources: [],
            violations: [
                {
                    policy: "docker-image-require-pinned-tag",
                    urn: "urn:pulumi:dev::nexora::docker:index/remoteImage:RemoteImage::app",
                    level: "mandatory",
                    message: "unpinned",
                },
                {
                    policy: "docker-volume-require-protect",
                    urn: "urn:pulumi:dev::nexora::docker:index/volume:Volume::data",
                    level: "advisory",
                    message: "unprotected",
                },
            ],
        };
        expect(stackReport("dev", 1, JSON.stringify(doc), "", 12)).toEqual({
            code: 1,
            text: [
                "dev: Policy pack: 1 mandatory, 1 advisory violation(s) (12 ms, exit 1)",
                "  [mandatory] docker-image-require-pinned-tag  urn:pulumi:dev::nexora::docker:index/remoteImage:RemoteImage::app",
                "      unpinned",
                "  [advisory] docker-volume-require-protect  urn:pulumi:dev::nexora::docker:index/volume:Volume::data",
                "      unprotected",
                "",
            ].join("\n"),
        });
    });

    it("shows the plan's own explanation when there is no document (a config error)", () => {
        expect(stackReport("prod", 2, "", "Pulumi.prod.yaml: nexora:domain: must be a DNS name\n", 5)).toEqual({
            text: "prod: Pulumi.prod.yaml: nexora:domain: must be a DNS name (5 ms, exit 2)\n",
            code: 2,
        });
    });

    it("fails a clean exit whose output is not a plan document (a human inventory is not read)", () => {
        const report = stackReport("dev", 0, "Policy pack: 0 mandatory, 0 advisory violation(s)\n", "", 1);
        expect(report.code).toBe(3);
        expect(report.text).toMatch(/^dev: plan dev --json: not a plan --json document: .* \(1 ms, exit 0\)\n$/);
    });
});
