/**
 * The backup component in whole stacks under mocks: what it declares, what it covers per feature
 * switch, what is secret. The script itself runs for real in tests/backup.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { BACKUP_MANIFEST_IN_CONTAINER, BACKUP_SCRIPT_IN_CONTAINER } from "../../components/backup/backup";
import { evaluateStack, PlanResource, PlanResult } from "../../tools/plan/evaluate";
import { stackFileConfig } from "../support/stacks";
import { stackPlan } from "../support/plans";

const CONTAINER = "docker:index/container:Container";
let prod: PlanResult;
let lean: PlanResult;
let dev: PlanResult;

beforeAll(async () => {
    prod = await evaluateStack({
        stack: "prod",
        config: {
            ...stackFileConfig("prod"),
            "nexora:backupSchedule": "15 1 * * *",
            "nexora:backupRetention": { daily: 10, weekly: 5, monthly: 12 },
            "nexora:backupAlertWebhook": { secure: "v1:encrypted" },
            "nexora:backupOffsiteRepository": "s3:https://minio.example:9000/nexora-backups/prod",
            "nexora:backupOffsiteAccessKeyId": { secure: "v1:encrypted" },
            "nexora:backupOffsiteSecretAccessKey": { secure: "v1:encrypted" },
        },
    });
    // GitLab, Outline and Grafana off; Uptime Kuma and Portainer on.
    const leanConfig: Record<string, unknown> = {
        ...stackFileConfig("staging"),
        "nexora:gitlabEnabled": false,
        "nexora:outlineEnabled": false,
        "nexora:grafanaEnabled": false,
        "nexora:runnerEnabled": false,
        "nexora:registryEnabled": false,
    };
    lean = await evaluateStack({ stack: "staging", config: leanConfig });
    dev = await stackPlan("dev");
});

const backupContainer = (plan: PlanResult): PlanResource =>
    plan.resources.find((r) => r.type === CONTAINER && r.inputs.name === `nexora-${plan.stack}-backup`)!;
const manifestOf = (plan: PlanResult): string =>
    (backupContainer(plan).plainInputs.uploads as { file: string; content: string }[]).find((u) => u.file === BACKUP_MANIFEST_IN_CONTAINER)!.content;
const mountsOf = (plan: PlanResult) =>
    (backupContainer(plan).plainInputs.mounts as { type: string; source: string; target: string; readOnly: boolean }[]).map(
        (m) => `${m.source}:${m.target}${m.readOnly ? ":ro" : ""}`,
    );

describe("backups of the prod stack", () => {
    it("run one backup container with the script, its manifest, the socket and every store's volume read-only", () => {
        const c = backupContainer(prod);
        expect(c).toBeDefined();
        expect(c.plainInputs.entrypoints).toEqual([BACKUP_SCRIPT_IN_CONTAINER]);
        expect(c.plainInputs.command).toEqual(["serve"]);
        expect(mountsOf(prod).sort()).toEqual(
            [
                "nexora-prod-backup-repo:/repo",
                "nexora-prod-backup-spool:/spool",
                "nexora-prod-outline-data:/data/outline:ro",
                "nexora-prod-uptime-data:/data/uptime:ro",
                "nexora-prod-portainer-data:/data/portainer:ro",
                "nexora-prod-caddy-data:/data/caddy:ro",
                "/var/run/docker.sock:/var/run/docker.sock",
            ].sort(),
        );
        expect((c.plainInputs.networksAdvanced as { name: string }[]).map((n) => n.name)).toEqual(["nexora-prod-edge"]);
        expect((c.plainInputs.labels as { label: string; value: string }[]).find((l) => l.label === "nexora.service")!.value).toBe("backup");
    });

    it("mount the socket of the daemon the stack runs on: a unix dockerHost's own path (rootless, a second daemon)", async () => {
        const rootless = await evaluateStack({
            stack: "staging",
            config: { ...stackFileConfig("staging"), "nexora:dockerHost": "unix:///run/user/1000/docker.sock" },
        });
        const binds = (name: string) =>
            (
                rootless.resources.find((r) => r.type === CONTAINER && r.inputs.name === name)!.plainInputs.mounts as {
                    type: string;
                    source: string;
                    target: string;
                }[]
            )
                .filter((m) => m.type === "bind")
                .map((m) => `${m.source}:${m.target}`);
        expect(binds("nexora-staging-backup")).toEqual(["/run/user/1000/docker.sock:/var/run/docker.sock"]);
        expect(binds("nexora-staging-portainer")).toEqual(["/run/user/1000/docker.sock:/var/run/docker.sock"]);
    });

    it("cover PostgreSQL, MySQL, GitLab and every service volume, with each store's consumers", () => {
        const m = manifestOf(prod);
        expect(m).toContain("STORES='postgres mysql gitlab outline uptime portainer caddy'");
        expect(m).toContain("store_postgres_consumers='gitlab:nexora-prod-gitlab outline:nexora-prod-outline'");
        expect(m).toContain(
            "store_mysql_consumers='erp_dev:nexora-prod-erp-dev hjhs:nexora-prod-hjhs mazugift:nexora-prod-mazugift pyerp:nexora-prod-pyerp xylferp:nexora-prod-xylferp'",
        );
        expect(m).toContain("store_gitlab_container='nexora-prod-gitlab'");
        expect(m).toContain("store_uptime_pause='nexora-prod-uptime'");
        expect(m).toContain("store_outline_pause=''");
    });

    it("take the schedule, retention and off-host target from config", () => {
        const m = manifestOf(prod);
        expect(m).toContain("SCHEDULE='15 1 * * *'");
        expect(m).toMatch(/KEEP_DAILY='10'\nKEEP_WEEKLY='5'\nKEEP_MONTHLY='12'/);
        expect(m).toContain("TARGETS='local offsite'");
        expect(m).toContain("target_local_repository='/repo'");
        expect(m).toContain("target_offsite_repository='s3:https://minio.example:9000/nexora-backups/prod'");
        expect(m).toContain("RESTIC_IMAGE='restic/restic:0.18.1'");
    });

    it("keep the repository password, the webhook and the off-host credentials secret", () => {
        const c = backupContainer(prod);
        expect(c.secretInputs).toContain("envs");
        expect(c.inputs.envs).toBe("[secret]");
        const names = (c.plainInputs.envs as string[]).map((e) => e.split("=")[0]);
        expect(names.sort()).toEqual(["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "NEXORA_BACKUP_ALERT_WEBHOOK", "RESTIC_PASSWORD"]);
        // The manifest, uploaded in plain state, holds no secret.
        for (const env of c.plainInputs.envs as string[]) expect(manifestOf(prod)).not.toContain(env.slice(env.indexOf("=") + 1));
        const password = prod.resources.find((r) => r.name === "backup-repository-password")!;
        expect(password.type).toBe("random:index/randomPassword:RandomPassword");
        expect(password.inputs.length).toBeGreaterThanOrEqual(32);
        expect(prod.outputs.backupRepositoryPassword).toEqual(expect.any(String));
    });

    it("keep the repository on a protected, retained volume", () => {
        const repo = prod.resources.find((r) => r.type === "docker:index/volume:Volume" && r.name === "backup-repo")!;
        expect(repo).toMatchObject({ protect: true, retainOnDelete: true, inputs: { name: "nexora-prod-backup-repo" } });
    });

    it("pull the pinned restic image", () => {
        const images = prod.resources.filter((r) => r.type === "docker:index/remoteImage:RemoteImage").map((r) => r.inputs.name);
        expect(images).toContain("restic/restic:0.18.1");
        expect(images).toContain("docker:28.3.1-cli");
    });
});

describe("backups follow the feature switches", () => {
    it("back up no GitLab, Outline or Grafana when they are off", () => {
        const m = manifestOf(lean);
        expect(m).toContain("STORES='postgres mysql uptime portainer caddy'");
        expect(m).not.toMatch(/store_gitlab|store_outline|store_grafana/);
        expect(m).toContain("store_postgres_consumers=''");
        expect(
            mountsOf(lean)
                .filter((x) => x.includes("/data/"))
                .sort(),
        ).toEqual([
            "nexora-staging-caddy-data:/data/caddy:ro",
            "nexora-staging-portainer-data:/data/portainer:ro",
            "nexora-staging-uptime-data:/data/uptime:ro",
        ]);
    });

    it("declare nothing on dev, where backups are off by default", () => {
        expect(dev.resources.filter((r) => r.urn.includes("nexora:backup:Backup"))).toEqual([]);
        expect(dev.outputs.backupRepositoryPassword).toBeUndefined();
    });
});
