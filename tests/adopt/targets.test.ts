import { describe, expect, it } from "vitest";
import { adoptionTargets } from "../../tools/adopt/targets";
import { stackPlan } from "../support/plans";
import { settingsOf } from "../support/stacks";

describe("adoption targets", () => {
    it("are the program's own volumes: same names, labels, mount paths and stop grace periods as its containers", async () => {
        const plan = await stackPlan("prod");
        const targets = adoptionTargets(settingsOf("prod"));
        const volumes = plan.resources.filter((r) => r.type === "docker:index/volume:Volume");
        const containers = plan.resources.filter((r) => r.type === "docker:index/container:Container");
        for (const t of targets.volumes) {
            const volume = volumes.find((v) => v.inputs.name === t.name);
            expect(volume, t.name).toBeDefined();
            expect(volume!.protect, t.name).toBe(true);
            expect(volume!.name).toBe(t.key);
            const labels = Object.fromEntries((volume!.inputs.labels as { label: string; value: string }[]).map((l) => [l.label, l.value]));
            expect(labels["nexora.role"], t.name).toBe(t.role);
            expect(labels["nexora.service"], t.name).toBe(t.service);
            // A released service (an app, the portal) names each release's container `<base>-<release id>`.
            const base = targets.containers[t.service]!;
            const user = containers.find((c) => c.inputs.name === base || new RegExp(`^${base}-[0-9a-f]{8}$`).test(String(c.inputs.name)));
            expect(user, t.service).toBeDefined();
            const mount = (user!.inputs.mounts as { source: string; target: string }[]).find((m) => m.source === t.name);
            expect(mount?.target, t.name).toBe(t.mountPath);
            expect(user!.inputs.stopTimeout, t.service).toBe(t.stopGraceSeconds);
        }
        // Every store the program keeps is a target, except those rebuilt from config or by `pulumi up`.
        const untargeted = volumes.map((v) => v.inputs.name as string).filter((n) => !targets.volumes.some((t) => t.name === n));
        expect(untargeted.sort()).toEqual([
            "nexora-prod-backup-repo",
            "nexora-prod-backup-spool",
            "nexora-prod-caddy-config",
            "nexora-prod-caddy-etc",
            "nexora-prod-frpc-config",
        ]);
        expect(targets.postgresConsumers).toEqual(["gitlab", "outline"]);
        expect(targets.mysqlApps).toMatchObject({ pyerp: "pyerp", "erp-dev": "erp_dev" });
    });
});
