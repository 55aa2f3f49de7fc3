// npm run adopt -- discover|adopt|rollback <stack> [--plan FILE] [--json] [--force] [--config FILE] [--docker-host URL]
//
// Moves a running Docker Compose deployment onto the stack (docs/adopt-claw-bot.md).
//   discover  reads every container, volume and network on the stack's dockerHost and writes the
//             adoption plan (YAML, one comment per entry): what is copied where, what is stopped,
//             what is left alone. Env values are never read into it.
//   adopt     checks the plan against the stack and the daemon, runs `pulumi preview --json` and
//             refuses if a stateful resource would be replaced or deleted, then cuts over: stops
//             the taken-over Compose containers gracefully, copies each adopted Compose volume into
//             the stack's own volume, `pulumi up`, rotates the credentials held in the data, and
//             verifies rows, checksums and old passwords.
//   rollback  stops the stack's containers that took over and starts the Compose ones again on
//             their untouched volumes; refuses (unless --force) when the stack took writes since.
//
// Data route: copy, not import. An imported docker volume whose name, labels, driver or
// driver_opts differ from the program's is replaced, and the provider removes volumes with force
// (kreuzwerker/terraform-provider-docker internal/provider/resource_docker_volume.go): Compose's
// `<project>_<volume>` names and `com.docker.compose.*` labels always differ. A copy leaves the
// Compose volume untouched, which is also the way back.
//
// Exit codes: 0 done, 1 failed or refused (it says what, and whether anything changed), 2 bad
// arguments, config or plan file.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, type PlatformSettings } from "../../components/config";
import { servicePort } from "../../components/catalog";
import { dockerName, ownerLabels } from "../../components/naming";
import { isStackName } from "../../components/validators";
import { readStackFile, settingsOfConfig } from "../plan/evaluate";
import { CONFIG_NAMESPACE } from "../../components/config/types";
import {
    compareFingerprints,
    describeWritesSince,
    FILES_FINGERPRINT_SCRIPT,
    MYSQL_FINGERPRINT_SCRIPT,
    parseFingerprint,
    POSTGRES_FINGERPRINT_SCRIPT,
    type Fingerprint,
} from "./checks";
import {
    buildPlan,
    parsePlan,
    PlanError,
    renderPlan,
    validatePlan,
    type AdoptionPlan,
    type DiscoveredDatabases,
    type Discovery,
    type InspectedContainer,
    type InspectedNetwork,
    type InspectedVolume,
} from "./plan";
import { main as adoptGitlab } from "../adopt-gitlab/cli";
import { statefulChanges } from "./preview";
import { adoptionTargets, type AdoptionTargets, type TargetVolume } from "./targets";
import { MYSQL_ROOT_PASSWORD_RECORD } from "../../components/mysql/mysql";
import { PORTAINER_PREVIOUS_PASSWORD_RECORD } from "../../components/portainer/admin-password";
import type { AdoptedCredential } from "../../components/config/adoption";

/**
 * Exits 0 when Portainer accepts `admin` with the password in OLD_ADMIN (escaped for JSON, passed
 * to curl on stdin), 1 when it answers with a refusal, 2 when it does not answer within a minute:
 * a refusal is only ever taken from an answer.
 */
export const PORTAINER_OLD_LOGIN_SCRIPT = [
    "set -u",
    `body=$(printf '{"Username":"admin","Password":"%s"}' "$(printf '%s' "$OLD_ADMIN" | sed -e 's/\\\\/\\\\\\\\/g' -e 's/"/\\\\"/g')")`,
    "for i in $(seq 1 30); do",
    `  code=$(printf '%s' "$body" | curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' --data-binary @- http://127.0.0.1:${servicePort("portainer")}/api/auth) || code=000`,
    `  [ "$code" = 200 ] && exit 0`,
    `  [ "$code" = 000 ] || [ "$code" = 502 ] || [ "$code" = 503 ] || exit 1`,
    "  sleep 2",
    "done",
    "exit 2",
].join("\n");

/** The Compose Portainer's admin password, from the operator: Portainer keeps only a bcrypt hash, so nothing else can tell it. */
export const PORTAINER_PASSWORD_ENV = "NEXORA_ADOPT_PORTAINER_PASSWORD";

export const USAGE = `usage: npm run adopt -- discover|adopt|rollback <stack> [--plan FILE] [--json] [--force]
                      [--config FILE] [--docker-host URL]
       npm run adopt -- gitlab <stack> [--url URL] [--group PATH]... [--write] [--set-secrets] [--config FILE]

  discover   write the adoption plan of what runs on the stack's dockerHost (--plan FILE, default adopt-<stack>.yaml)
  adopt      check the plan, preview, then cut over onto the stack (stops, copies, pulumi up, rotates, verifies)
  rollback   stop the stack's containers that took over, start the Compose ones again
  gitlab     the GitLab instance's groups and projects into the stack's config, with import IDs (npm run adopt-gitlab)
  --plan FILE        the plan file (default adopt-<stack>.yaml); its record of the cutover is FILE.state.json
  --json             the report as one JSON document on stdout
  --force            adopt: copy into stack volumes that already hold data; rollback: even when the stack took writes
  --config FILE      the stack's config file (default: Pulumi.<stack>.yaml)
  --docker-host URL  override the stack's dockerHost`;

export interface AdoptIo {
    readonly stdout: (text: string) => void;
    readonly stderr: (text: string) => void;
}

export interface Run {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

/** Runs a command (no shell); stdin and extra env optional. Injected in tests. */
export type Runner = (command: string, args: readonly string[], opts?: { stdin?: string; env?: Record<string, string> }) => Promise<Run>;

export const spawnRunner: Runner = (command, args, opts = {}) =>
    new Promise((resolve) => {
        const child = spawn(command, [...args], { env: { ...process.env, ...opts.env }, stdio: ["pipe", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.on("error", (err) => resolve({ code: 127, stdout, stderr: `${stderr}${command}: ${err.message}\n` }));
        child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
        // A command that exits before reading its stdin closes the pipe: its exit code says what happened.
        child.stdin.on("error", () => undefined);
        child.stdin.end(opts.stdin ?? "");
    });

/**
 * The container's own network address, for the old-password checks: the PostgreSQL image trusts
 * every connection from 127.0.0.1 (its initdb default), so a login there proves nothing.
 */
const OWN_ADDRESS = "hostname -i | cut -d' ' -f1";

class UsageError extends Error {}
/** A refusal or failure: exit 1 with this one message. */
class Refused extends Error {}

const ROOT = path.resolve(__dirname, "..", "..");

function stackSettings(stack: string, configFile: string): PlatformSettings {
    return settingsOfConfig(stack, readStackFile(configFile));
}

/** The docker CLI against one daemon. */
/**
 * The stack's containers of one service, by the program's labels: a released service (a business
 * app, the portal) carries its release id in its name (`<base>-<id>`, components/docker/release.ts),
 * and a refused release may leave two. The base name when none is found.
 */
async function serviceContainers(docker: Docker, stack: string, service: string, base: string): Promise<string[]> {
    const out = await docker.ok([
        "ps",
        "-a",
        "--filter",
        `label=nexora.stack=${stack}`,
        "--filter",
        `label=nexora.service=${service}`,
        "--format",
        "{{.Names}}",
    ]);
    const names = out
        .split("\n")
        .map((n) => n.trim())
        .filter((n) => n !== "");
    return names.length > 0 ? names : [base];
}

class Docker {
    constructor(
        private readonly runner: Runner,
        private readonly cli: string,
        readonly host: string,
    ) {}

    async run(args: readonly string[], opts: { stdin?: string; env?: Record<string, string> } = {}): Promise<Run> {
        return this.runner(this.cli, args, { stdin: opts.stdin, env: { ...opts.env, DOCKER_HOST: this.host } });
    }

    async ok(args: readonly string[], opts: { stdin?: string; env?: Record<string, string> } = {}): Promise<string> {
        const r = await this.run(args, opts);
        // Named by the command and its first operand (the container or volume), never by values that follow.
        if (r.code !== 0)
            throw new Refused(
                `docker ${args
                    .filter((a) => !a.startsWith("-"))
                    .slice(0, 2)
                    .join(" ")} failed: ${lastLine(r.stderr) || `exit ${r.code}`}`,
            );
        return r.stdout;
    }

    async inspectAll<T>(kind: "container" | "volume" | "network", listArgs: readonly string[]): Promise<T[]> {
        const ids = (await this.ok(listArgs)).split("\n").filter((l) => l.trim() !== "");
        if (ids.length === 0) return [];
        return JSON.parse(await this.ok([kind, "inspect", ...ids])) as T[];
    }
}

function lastLine(text: string): string {
    return text.trim().split("\n").pop() ?? "";
}

/** Environment values of a container, by key: read only to use them, never printed. */
function envOf(c: InspectedContainer): Record<string, string> {
    return Object.fromEntries((c.Config.Env ?? []).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
}

/** Reads everything the plan needs from the daemon; an unreachable daemon is one clear line. */
async function discover(docker: Docker): Promise<{ discovery: Discovery; containers: InspectedContainer[] }> {
    const ping = await docker.run(["version", "--format", "{{.Server.Version}}"]);
    if (ping.code !== 0)
        throw new Refused(`cannot reach the Docker daemon at ${docker.host}: ${lastLine(ping.stderr) || `exit ${ping.code}`}. Nothing was changed.`);
    const containers = await docker.inspectAll<InspectedContainer>("container", ["ps", "-aq", "--no-trunc"]);
    const volumes = await docker.inspectAll<InspectedVolume>("volume", ["volume", "ls", "-q"]);
    const networks = await docker.inspectAll<InspectedNetwork>("network", ["network", "ls", "-q", "--no-trunc"]);
    const databases: { postgres?: DiscoveredDatabases["postgres"]; mysql?: DiscoveredDatabases["mysql"] } = {};
    for (const c of containers) {
        if (c.State.Status !== "running") continue;
        const name = c.Name.replace(/^\//, "");
        const env = envOf(c);
        if (/(^|\/)postgres(ql)?[:@]/.test(c.Config.Image) && !databases.postgres) {
            const superuser = env.POSTGRES_USER ?? "postgres";
            // The superuser name is checked before it reaches psql; local socket, the image's trust for local connections.
            if (!/^[a-z_][a-z0-9_]{0,62}$/.test(superuser)) continue;
            const q = async (sql: string) =>
                (await docker.ok(["exec", name, "psql", "-U", superuser, "-d", "postgres", "-At", "-c", sql])).split("\n").filter((l) => l !== "");
            databases.postgres = {
                container: name,
                superuser,
                databases: await q("SELECT datname FROM pg_database WHERE NOT datistemplate AND datname <> 'postgres' ORDER BY 1"),
                roles: await q("SELECT rolname FROM pg_roles WHERE rolcanlogin ORDER BY 1"),
            };
        }
        if (/(^|\/)(mysql|mariadb)[:@]/.test(c.Config.Image) && !databases.mysql && env.MYSQL_ROOT_PASSWORD) {
            const q = async (sql: string) =>
                (
                    await docker.ok(["exec", "-e", "MYSQL_PWD", name, "mysql", "--protocol=socket", "-uroot", "-N", "-B", "-e", sql], {
                        env: { MYSQL_PWD: env.MYSQL_ROOT_PASSWORD! },
                    })
                )
                    .split("\n")
                    .filter((l) => l !== "");
            databases.mysql = {
                container: name,
                databases: await q(
                    "SELECT schema_name FROM information_schema.schemata WHERE schema_name NOT IN ('mysql', 'sys', 'performance_schema', 'information_schema') ORDER BY 1",
                ),
                users: await q("SELECT CONCAT(user, '@', host) FROM mysql.user WHERE user NOT LIKE 'mysql.%' ORDER BY 1"),
            };
        }
    }
    return { discovery: { containers, volumes, networks, databases }, containers };
}

/** What the cutover recorded: read back by rollback. No secret in it. */
export interface CutoverRecord {
    readonly stack: string;
    readonly startedAt: string;
    readonly finishedAt: string;
    /** Compose containers stopped, in stop order. */
    readonly stopped: readonly string[];
    /** The stack's containers that took over. */
    readonly takenOverBy: readonly string[];
    /** Restart policies of the stopped containers that had one (set to "no" during the adoption). */
    readonly restartPolicies?: Readonly<Record<string, string>>;
    /** Fingerprint of the Compose data just before the stop (stores) / after it (volumes). */
    readonly before: Fingerprint;
    /** Fingerprint of the stack's data right after the cutover: rollback compares against it. */
    readonly after: Fingerprint;
}

export interface AdoptReport {
    readonly stack: string;
    readonly adopted: readonly { readonly from: string; readonly to: string }[];
    readonly leftAlone: readonly string[];
    readonly downtimeSeconds: Readonly<Record<string, number>>;
    readonly checks: readonly { readonly name: string; readonly ok: boolean; readonly detail: string }[];
    readonly rowsLost: number;
    readonly filesLost: number;
    /** Volumes `pulumi up` reported replaced or deleted (0, or the cutover lost data). */
    readonly volumesReplaced: readonly string[];
}

/** The files volumes rollback compares (targets.ts, `rollback`), each over its users' data paths. */
function rollbackVolumes(volumes: readonly TargetVolume[]): { name: string; label: string; paths?: readonly string[] }[] {
    return volumes.filter((t) => t.rollback !== "skip").map((t) => ({ name: t.name, label: t.key, ...(t.userDataPaths ? { paths: t.userDataPaths } : {}) }));
}

/** Fingerprints of the stores and file volumes mounted in the given containers/volumes (a volume over `paths` under it, all of it without). */
async function fingerprint(
    docker: Docker,
    helperImage: string,
    stores: { postgres?: { container: string; superuser: string }; mysql?: { container: string; rootPasswordEnv?: string } },
    volumes: readonly { name: string; label: string; paths?: readonly string[] }[],
): Promise<Fingerprint> {
    let fp: Record<string, { count: number; checksum: string }> = {};
    if (stores.postgres) {
        const out = await docker.ok(["exec", "-i", stores.postgres.container, "sh", "-s", "--", stores.postgres.superuser], {
            stdin: POSTGRES_FINGERPRINT_SCRIPT,
        });
        fp = { ...fp, ...parseFingerprint("postgres", out) };
    }
    if (stores.mysql) {
        // MYSQL_PWD from the given value (Compose's root) or, without one, from the container's own env.
        const out = stores.mysql.rootPasswordEnv
            ? await docker.ok(["exec", "-i", "-e", "MYSQL_PWD", stores.mysql.container, "sh", "-s"], {
                  stdin: MYSQL_FINGERPRINT_SCRIPT,
                  env: { MYSQL_PWD: stores.mysql.rootPasswordEnv },
              })
            : await docker.ok(["exec", "-i", stores.mysql.container, "sh", "-c", `MYSQL_PWD="$MYSQL_ROOT_PASSWORD" sh -s`], {
                  stdin: MYSQL_FINGERPRINT_SCRIPT,
              });
        fp = { ...fp, ...parseFingerprint("mysql", out) };
    }
    for (const v of volumes) {
        const out = await docker.ok([
            "run",
            "--rm",
            "--network",
            "none",
            "-v",
            `${v.name}:/v:ro`,
            "--entrypoint",
            "sh",
            helperImage,
            "-c",
            FILES_FINGERPRINT_SCRIPT,
            "fingerprint",
            ...(v.paths ?? []),
        ]);
        fp = { ...fp, ...parseFingerprint(`volume/${v.label}`, out) };
    }
    return fp;
}

interface Context {
    readonly stack: string;
    readonly settings: PlatformSettings;
    readonly targets: AdoptionTargets;
    readonly docker: Docker;
    readonly planFile: string;
    readonly json: boolean;
    readonly force: boolean;
    readonly io: AdoptIo;
    readonly env: Readonly<Record<string, string | undefined>>;
    readonly runner: Runner;
    /** The stack file the settings were read from (the imports are validated against it). */
    readonly configFile: string;
}

async function runDiscover(ctx: Context): Promise<number> {
    const { discovery } = await discover(ctx.docker);
    const plan = buildPlan(discovery, ctx.targets);
    writeFileSync(ctx.planFile, renderPlan(plan, ctx.targets));
    const adopted = plan.volumes.filter((v) => v.adoptAs !== null);
    const leftAlone = plan.containers.filter((c) => c.takenOverBy === null).map((c) => c.name);
    if (ctx.json) ctx.io.stdout(`${JSON.stringify({ planFile: ctx.planFile, plan }, null, 2)}\n`);
    else
        ctx.io.stdout(
            `Wrote ${ctx.planFile}: ${plan.containers.length} containers (${leftAlone.length} left alone), ${plan.volumes.length} volumes (${adopted.length} to copy), ${plan.networks.length} networks.\nReview it, then: npm run adopt -- adopt ${ctx.stack} --plan ${ctx.planFile}\n`,
        );
    return 0;
}

function readPlan(ctx: Context): AdoptionPlan {
    if (!existsSync(ctx.planFile)) throw new UsageError(`--plan: ${ctx.planFile} does not exist (write it with: npm run adopt -- discover ${ctx.stack})`);
    try {
        return parsePlan(readFileSync(ctx.planFile, "utf8"));
    } catch (err) {
        if (err instanceof PlanError) throw new UsageError(err.issues.map((i) => `${ctx.planFile}: ${i.entry}: ${i.message}`).join("\n"));
        throw err;
    }
}

function pulumiEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
    return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

/** Outline's client secret in its env (its generic OIDC settings; components/sso/env.ts writes the same key). */
export const OUTLINE_CLIENT_SECRET_ENV = "OIDC_CLIENT_SECRET";

/**
 * The stack's `adoptImports` as the plan's `imports` give it: the program imports these objects
 * instead of creating them a second time (components/sso/application.ts, components/edge/dns.ts).
 */
export function adoptImportsValue(plan: AdoptionPlan): {
    outlineOAuthApplication: string | null;
    dnsRecords: Record<string, string>;
    credentials: AdoptedCredential[];
} {
    const takes = (service: string) => plan.containers.some((c) => c.takenOverBy === service);
    // The credentials adopted data brings that only the program can set (its own provisioning does the databases').
    const credentials: AdoptedCredential[] = [];
    if (takes("gitlab")) credentials.push("gitlab-root");
    if (takes("portainer")) credentials.push("portainer-admin");
    return { outlineOAuthApplication: plan.imports.outlineOAuthApplication, dnsRecords: { ...plan.imports.dnsRecords }, credentials };
}

/**
 * Writes the plan's import IDs into the stack config before the preview, so the preview already
 * shows the imports (and the refusal sees an import that would turn into a replacement). With an
 * imported Outline application, its client secret comes from the Compose Outline's env into the
 * secret `adoptOutlineClientSecret`, through stdin (never on a command line, never printed): the
 * provider never reads an application's secret back, and renewing it instead (GitLab's
 * `POST /applications/:id/renew-secret`) would cut the Compose Outline off from GitLab, which is
 * the way back. The value is GitLab's own generated secret, not one of the weak passwords.
 * Validated first with the program's own config rules: a bad ID is exit 2 naming the key.
 */
async function writeImports(
    ctx: Context,
    plan: AdoptionPlan,
    containers: readonly InspectedContainer[],
    pulumi: string,
    cwd: readonly string[],
): Promise<void> {
    const value = adoptImportsValue(plan);
    let clientSecret: string | undefined;
    if (value.outlineOAuthApplication !== null) {
        const outline = plan.containers.find((c) => c.takenOverBy === "outline");
        const inspected = outline && containers.find((c) => c.Name.replace(/^\//, "") === outline.name);
        clientSecret = inspected ? envOf(inspected)[OUTLINE_CLIENT_SECRET_ENV] : undefined;
        if (clientSecret === undefined || clientSecret === "")
            throw new UsageError(
                `${ctx.planFile}: imports.outlineOAuthApplication: the Compose Outline the plan takes over (${outline?.name ?? "none"}) has no ${OUTLINE_CLIENT_SECRET_ENV} in its env: the imported application's client secret cannot be carried over (set outlineOAuthApplication: null to let the program create a new application)`,
            );
    }
    const key = `${CONFIG_NAMESPACE}:adoptImports`;
    const secretKey = `${CONFIG_NAMESPACE}:adoptOutlineClientSecret`;
    try {
        settingsOfConfig(ctx.stack, {
            ...readStackFile(ctx.configFile),
            [key]: value,
            // Checked as the secret it will be; its value is never part of a message.
            ...(clientSecret === undefined ? {} : { [secretKey]: { secure: "checked-by-adopt" } }),
        });
    } catch (err) {
        if (err instanceof ConfigError) throw new UsageError(`${ctx.planFile}: imports: ${err.message}`);
        throw err;
    }
    const env = pulumiEnv(ctx.env);
    // JSON of validated ids only (digits, hex, route names): safe as an argument, and nothing secret.
    const set = await ctx.runner(pulumi, ["config", "set", "--stack", ctx.stack, "--non-interactive", ...cwd, key, JSON.stringify(value)], { env });
    if (set.code !== 0) throw new Refused(`pulumi config set ${key} failed (exit ${set.code}): ${lastLine(set.stderr)}. Nothing was stopped.`);
    if (clientSecret !== undefined) {
        const r = await ctx.runner(pulumi, ["config", "set", "--secret", "--stack", ctx.stack, "--non-interactive", ...cwd, secretKey], {
            env,
            stdin: clientSecret,
        });
        if (r.code !== 0) throw new Refused(`pulumi config set --secret ${secretKey} failed (exit ${r.code}): ${lastLine(r.stderr)}. Nothing was stopped.`);
    }
}

async function runAdopt(ctx: Context): Promise<number> {
    const { docker, targets, stack, io } = ctx;
    const plan = readPlan(ctx);
    // --- checks: nothing is stopped before every one has passed
    const { discovery, containers } = await discover(docker);
    const issues = validatePlan(
        plan,
        targets,
        { volumes: new Set(discovery.volumes.map((v) => v.Name)), containers: new Set(containers.map((c) => c.Name.replace(/^\//, ""))) },
        [...ctx.settings.routes.http, ...ctx.settings.routes.tcp].map((r) => r.name),
    );
    if (plan.postgres && plan.postgres.superuser !== "postgres")
        issues.push({
            entry: "postgres.superuser",
            message: `the program provisions as the superuser postgres; ${plan.postgres.superuser} is not supported (create role postgres SUPERUSER in the Compose database first)`,
        });
    if (issues.length > 0) throw new UsageError(issues.map((i) => `${ctx.planFile}: ${i.entry}: ${i.message}`).join("\n"));
    const adopted = plan.volumes.filter((v) => v.adoptAs !== null).map((v) => ({ from: v.name, to: targets.volumes.find((t) => t.key === v.adoptAs)! }));
    // Portainer's admin keeps its password in adopted data; the program rotates it from the recorded old one.
    const portainerOld = adopted.some((a) => a.to.service === "portainer") ? ctx.env[PORTAINER_PASSWORD_ENV] : undefined;
    if (adopted.some((a) => a.to.service === "portainer") && (portainerOld === undefined || portainerOld === "" || /[\u0000-\u001f\u007f]/.test(portainerOld)))
        throw new UsageError(
            `${PORTAINER_PASSWORD_ENV}: the Compose Portainer's current admin password (one line, not printed) is needed to rotate it to the stack's generated one; set it in the environment of this command`,
        );
    for (const a of adopted) {
        const existing = discovery.volumes.find((v) => v.Name === a.to.name);
        if (existing && !ctx.force) {
            const files = await docker.ok([
                "run",
                "--rm",
                "--network",
                "none",
                "-v",
                `${a.to.name}:/v:ro`,
                "--entrypoint",
                "sh",
                ctx.settings.images.postgres,
                "-c",
                "ls -A /v | head -1",
            ]);
            if (files.trim() !== "")
                throw new Refused(
                    `the stack's volume ${a.to.name} already holds data: adopting would overwrite it (--force to copy over it). Nothing was changed.`,
                );
        }
    }
    const pulumi = ctx.env.NEXORA_PULUMI_CLI ?? "pulumi";
    const cwd = ["--cwd", ctx.env.NEXORA_PULUMI_CWD ?? ROOT];
    await writeImports(ctx, plan, containers, pulumi, cwd);
    const preview = await ctx.runner(pulumi, ["preview", "--json", "--stack", stack, "--non-interactive", ...cwd], { env: pulumiEnv(ctx.env) });
    if (preview.code !== 0)
        throw new Refused(`pulumi preview failed (exit ${preview.code}): ${lastLine(preview.stderr) || lastLine(preview.stdout)}. Nothing was changed.`);
    const risky = statefulChanges(preview.stdout);
    if (risky.length > 0)
        throw new Refused(
            `the preview would replace or delete stateful resources; refusing. Nothing was changed.\n${risky.map((r) => `  ${r.op} ${r.urn}${r.reasons.length ? ` (${r.reasons.join(", ")})` : ""}`).join("\n")}`,
        );
    const composeByName = new Map(containers.map((c) => [c.Name.replace(/^\//, ""), c]));
    const mysqlRoot = plan.mysql ? envOf(composeByName.get(plan.mysql.container)!).MYSQL_ROOT_PASSWORD : undefined;
    if (plan.mysql && !mysqlRoot)
        throw new Refused(
            `${plan.mysql.container} has no MYSQL_ROOT_PASSWORD in its env: the cutover cannot log in to record and rotate. Nothing was changed.`,
        );
    const oldPasswords = {
        postgres: plan.postgres ? envOf(composeByName.get(plan.postgres.container)!).POSTGRES_PASSWORD : undefined,
        mysql: mysqlRoot,
        redis: (() => {
            const redis = plan.containers.find((c) => c.takenOverBy === "redis");
            const args = redis ? ((composeByName.get(redis.name) as unknown as { Args?: string[] } | undefined)?.Args ?? []) : [];
            const i = args.indexOf("--requirepass");
            return i >= 0 ? args[i + 1] : undefined;
        })(),
    };

    // --- cutover
    const startedAt = new Date();
    const storeServices = new Set(["postgres", "mysql", "redis"]);
    // Running now (not at discovery): a stopped one has nothing to stop and is not started by rollback.
    const taken = plan.containers.filter((c) => c.takenOverBy !== null && composeByName.get(c.name)?.State.Status === "running");
    const writers = taken.filter((c) => !storeServices.has(c.takenOverBy!));
    const stores = taken.filter((c) => storeServices.has(c.takenOverBy!));
    const grace = (c: { takenOverBy: string | null }) => targets.volumes.find((t) => t.service === c.takenOverBy)?.stopGraceSeconds ?? 30;
    const stopped: string[] = [];
    const stopAt: Record<string, number> = {};
    const restartPolicies: Record<string, string> = {};
    const stop = async (c: { name: string; takenOverBy: string | null }) => {
        // A restart policy would start the Compose container again at the daemon's next start, next
        // to the stack's: it is set to "no" (the container's data is not touched) and rollback restores it.
        const policy = (await docker.ok(["inspect", "--format", "{{.HostConfig.RestartPolicy.Name}}", c.name])).trim();
        if (policy !== "" && policy !== "no") {
            await docker.ok(["update", "--restart", "no", c.name]);
            restartPolicies[c.name] = policy;
        }
        await docker.ok(["stop", "-t", String(grace(c)), c.name]);
        stopped.push(c.name);
        stopAt[c.takenOverBy!] ??= Date.now();
    };
    const stateFile = `${ctx.planFile}.state.json`;
    const takenOverBy = [...new Set(taken.map((c) => targets.containers[c.takenOverBy!] ?? dockerName(stack, c.takenOverBy!)))];
    const fileVolumes = adopted.filter((a) => a.to.kind === "files");
    let before: Fingerprint = {};
    let copied: Fingerprint = {};
    try {
        // Writers first, so the stores' fingerprints are taken with nothing writing; then the stores.
        for (const c of writers) await stop(c);
        const storeFp = await fingerprint(
            docker,
            ctx.settings.images.postgres,
            {
                postgres: plan.postgres ? { container: plan.postgres.container, superuser: plan.postgres.superuser } : undefined,
                mysql: plan.mysql ? { container: plan.mysql.container, rootPasswordEnv: mysqlRoot } : undefined,
            },
            [],
        );
        for (const c of stores) await stop(c);
        before = {
            ...storeFp,
            ...(await fingerprint(
                docker,
                ctx.settings.images.postgres,
                {},
                fileVolumes.map((a) => ({ name: a.from, label: a.to.key })),
            )),
        };
        // The stack's volumes, created with exactly the program's name and labels: `pulumi up` then
        // finds them (the daemon's volume create is idempotent) and the provider sees no difference.
        for (const a of adopted) {
            const labels = ownerLabels(stack, a.to.service, a.to.role).flatMap((l) => ["--label", `${l.label}=${l.value}`]);
            await docker.ok(["volume", "create", ...labels, a.to.name]);
            await docker.ok([
                "run",
                "--rm",
                "--network",
                "none",
                "-v",
                `${a.from}:/from:ro`,
                "-v",
                `${a.to.name}:/to`,
                "--entrypoint",
                "cp",
                ctx.settings.images.postgres,
                "-a",
                "/from/.",
                "/to/",
            ]);
            if (a.to.kind === "mysql") {
                // The program's provisioning logs in as root with the password recorded in the volume, rotates it and records the new one.
                await writeRecord(docker, ctx.settings.images.postgres, a.to.name, path.basename(MYSQL_ROOT_PASSWORD_RECORD), mysqlRoot!);
            }
        }
        // The copies as they are, before any service of the stack starts writing into them (Caddy renews its certificates itself).
        copied = await fingerprint(
            docker,
            ctx.settings.images.postgres,
            {},
            fileVolumes.map((a) => ({ name: a.to.name, label: a.to.key })),
        );
        // After the copies' fingerprint: the record is not Compose data (the program removes it once used).
        for (const a of adopted.filter((x) => x.to.service === "portainer")) {
            // The program's rotation logs in with it once, sets the generated password and removes the record.
            await writeRecord(docker, ctx.settings.images.postgres, a.to.name, path.basename(PORTAINER_PREVIOUS_PASSWORD_RECORD), portainerOld!);
        }
        // Written before the up, so a rollback finds what was stopped even when the up fails.
        const partial: CutoverRecord = { stack, startedAt: startedAt.toISOString(), finishedAt: "", stopped, takenOverBy, restartPolicies, before, after: {} };
        writeFileSync(stateFile, `${JSON.stringify(partial, null, 2)}\n`);
    } catch (err) {
        if (stopped.length === 0) throw err;
        // Something is stopped already: the record lets rollback start it again.
        const partial: CutoverRecord = { stack, startedAt: startedAt.toISOString(), finishedAt: "", stopped, takenOverBy, restartPolicies, before, after: {} };
        writeFileSync(stateFile, `${JSON.stringify(partial, null, 2)}\n`);
        throw new Refused(
            `${(err as Error).message}\nThe cutover stopped ${stopped.join(", ")}; the Compose volumes are untouched: npm run adopt -- rollback ${stack} --plan ${ctx.planFile} --force starts them again.`,
        );
    }
    const up = await ctx.runner(pulumi, ["up", "--yes", "--skip-preview", "--stack", stack, "--non-interactive", ...cwd], { env: pulumiEnv(ctx.env) });
    if (up.code !== 0)
        throw new Refused(
            `pulumi up failed (exit ${up.code}): ${lastLine(up.stderr) || lastLine(up.stdout)}.\nThe Compose volumes are untouched: npm run adopt -- rollback ${stack} --plan ${ctx.planFile} --force starts the Compose containers again.`,
        );
    const upAt = Date.now();
    // The CLI ends each finished step's line with what happened: a volume replaced or deleted lost its data.
    const volumesReplaced = [...up.stdout.matchAll(/docker:index(?:\/volume)?:Volume\s+(\S+)\s+(?:replaced|deleted)/g)].map((m) => m[1]!);
    if (volumesReplaced.length > 0) io.stderr(`adopt: pulumi up replaced or deleted volumes: ${volumesReplaced.join(", ")}\n`);
    // --- credentials held in the data: the superuser's and every login role the program does not own
    const pgContainer = dockerName(stack, "postgres");
    if (plan.postgres) {
        const keep = ["postgres", ...targets.postgresConsumers].join(",");
        await docker.ok(
            ["exec", "-i", pgContainer, "sh", "-c", `psql -v ON_ERROR_STOP=1 -q -U postgres -d postgres -v pw="$POSTGRES_PASSWORD" -v keep=${keep} -f -`],
            {
                stdin: [
                    "ALTER ROLE postgres PASSWORD :'pw';",
                    "SELECT format('ALTER ROLE %I PASSWORD NULL', rolname) FROM pg_roles WHERE rolcanlogin AND rolname <> ALL (string_to_array(:'keep', ',')) \\gexec",
                ].join("\n"),
            },
        );
    }
    const mysqlContainer = dockerName(stack, "mysql");
    if (plan.mysql) {
        const keep =
            Object.values(targets.mysqlApps)
                .map((u) => `'${u}'`)
                .join(",") || "''";
        // Users the program does not own keep their rows but can no longer log in.
        const lockList = await docker.ok(["exec", "-i", mysqlContainer, "sh", "-c", `MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mysql --protocol=socket -uroot -N -B`], {
            stdin: `SELECT CONCAT('ALTER USER ''', user, '''@''', host, ''' ACCOUNT LOCK;') FROM mysql.user WHERE user NOT IN ('root', ${keep}) AND user NOT LIKE 'mysql.%';\n`,
        });
        if (lockList.trim() !== "")
            await docker.ok(["exec", "-i", mysqlContainer, "sh", "-c", `MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mysql --protocol=socket -uroot`], { stdin: lockList });
    }
    // --- verify
    const after: Fingerprint = await fingerprint(
        docker,
        ctx.settings.images.postgres,
        {
            postgres: plan.postgres ? { container: pgContainer, superuser: "postgres" } : undefined,
            mysql: plan.mysql ? { container: mysqlContainer } : undefined,
        },
        // What rollback compares against later: the stack's file volumes it weighs (targets.ts, `rollback`).
        rollbackVolumes(fileVolumes.map((a) => a.to)),
    );
    const diffs = compareFingerprints(before, { ...copied, ...Object.fromEntries(Object.entries(after).filter(([k]) => !k.startsWith("volume/"))) });
    const checks: { name: string; ok: boolean; detail: string }[] = [];
    const rowDiffs = diffs.filter((d) => !d.key.startsWith("volume/"));
    const fileDiffs = diffs.filter((d) => d.key.startsWith("volume/"));
    checks.push({
        name: "rows and checksums",
        ok: rowDiffs.length === 0,
        detail: rowDiffs.length ? rowDiffs.map((d) => d.key).join(", ") : `${Object.keys(before).filter((k) => !k.startsWith("volume/")).length} tables match`,
    });
    checks.push({
        name: "files and checksums",
        ok: fileDiffs.length === 0,
        detail: fileDiffs.length ? fileDiffs.map((d) => d.key).join(", ") : `${fileVolumes.length} volumes match`,
    });
    const refused = async (what: string, args: string[], env: Record<string, string>) => {
        const r = await docker.run(args, { env });
        checks.push({ name: `old ${what} password refused`, ok: r.code !== 0, detail: r.code !== 0 ? "refused" : "STILL ACCEPTED" });
    };
    if (oldPasswords.postgres)
        await refused(
            "PostgreSQL superuser",
            ["exec", "-e", "PGPASSWORD", pgContainer, "sh", "-c", `psql -h "$(${OWN_ADDRESS})" -U postgres -d postgres -c 'SELECT 1'`],
            { PGPASSWORD: oldPasswords.postgres },
        );
    if (oldPasswords.mysql)
        await refused("MySQL root", ["exec", "-e", "MYSQL_PWD", mysqlContainer, "sh", "-c", `mysql -h "$(${OWN_ADDRESS})" -uroot -e 'SELECT 1'`], {
            MYSQL_PWD: oldPasswords.mysql,
        });
    if (oldPasswords.redis)
        await refused("Redis", ["exec", "-e", "REDISCLI_AUTH", dockerName(stack, "redis"), "sh", "-c", "redis-cli --no-auth-warning ping | grep -qx PONG"], {
            REDISCLI_AUTH: oldPasswords.redis,
        });
    if (portainerOld !== undefined) {
        // Portainer's own login, from a curl container in its network namespace; the body is built from the environment on stdin.
        const r = await docker.run(
            [
                "run",
                "--rm",
                "--network",
                `container:${dockerName(stack, "portainer")}`,
                "-e",
                "OLD_ADMIN",
                "--entrypoint",
                "sh",
                ctx.settings.images.portainerApiClient,
                "-c",
                PORTAINER_OLD_LOGIN_SCRIPT,
            ],
            { env: { OLD_ADMIN: portainerOld } },
        );
        checks.push({
            name: "old Portainer admin password refused",
            ok: r.code === 1,
            detail: r.code === 1 ? "refused" : r.code === 0 ? "STILL ACCEPTED" : `no answer from Portainer (exit ${r.code})`,
        });
    }
    for (const service of new Set(taken.map((c) => c.takenOverBy!))) {
        const [name] = await serviceContainers(docker, stack, service, targets.containers[service] ?? dockerName(stack, service));
        // Containers the program does not wait for (no `wait`) may still be starting: up to 3 minutes.
        let state = await docker.run(["inspect", "--format", "{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}", name]);
        for (let i = 0; i < 90 && state.code === 0 && /^running starting/.test(state.stdout.trim()); i++) {
            await new Promise((r) => setTimeout(r, 2000));
            state = await docker.run(["inspect", "--format", "{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}", name]);
        }
        checks.push({
            name: `${name} runs`,
            ok: state.code === 0 && /^running( healthy)?\s*$/.test(state.stdout.trim() + " "),
            detail: state.stdout.trim() || lastLine(state.stderr),
        });
    }
    const finishedAt = new Date();
    // Downtime per public hostname: from the stop of the Compose container serving it (or Caddy,
    // whichever stopped first) to the end of `pulumi up` (the e2e measures it through the relay too).
    const downtimeSeconds: Record<string, number> = {};
    const caddyStop = stopAt.caddy;
    for (const route of ctx.settings.routes.http) {
        const from = Math.min(stopAt[route.name] ?? Infinity, caddyStop ?? Infinity);
        if (from !== Infinity) downtimeSeconds[route.hostname] = Math.round((upAt - from) / 100) / 10;
    }
    const record: CutoverRecord = {
        stack,
        startedAt: startedAt.toISOString(),
        finishedAt: finishedAt.toISOString(),
        stopped,
        takenOverBy,
        restartPolicies,
        before,
        after,
    };
    writeFileSync(stateFile, `${JSON.stringify(record, null, 2)}\n`);
    const report: AdoptReport = {
        stack,
        adopted: adopted.map((a) => ({ from: a.from, to: a.to.name })),
        leftAlone: plan.containers.filter((c) => c.takenOverBy === null).map((c) => c.name),
        downtimeSeconds,
        checks,
        rowsLost: rowDiffs.reduce((n, d) => n + d.lost, 0),
        filesLost: fileDiffs.reduce((n, d) => n + d.lost, 0),
        volumesReplaced,
    };
    printReport(ctx, report);
    return checks.every((c) => c.ok) && volumesReplaced.length === 0 ? 0 : 1;
}

function printReport(ctx: Context, report: AdoptReport): void {
    if (ctx.json) {
        ctx.io.stdout(`${JSON.stringify(report, null, 2)}\n`);
        return;
    }
    const lines = [
        `Stack ${report.stack} adopted the Compose deployment.`,
        "Adopted (copied; the Compose volume is untouched):",
        ...report.adopted.map((a) => `  ${a.from} -> ${a.to}`),
        `Left alone: ${report.leftAlone.join(", ") || "(none)"}`,
        "Downtime per public hostname:",
        ...Object.entries(report.downtimeSeconds).map(([h, s]) => `  ${h}: ${s} s`),
        "Checks:",
        ...report.checks.map((c) => `  [${c.ok ? "ok" : "FAILED"}] ${c.name}: ${c.detail}`),
        `Rows lost: ${report.rowsLost}, files lost: ${report.filesLost}, volumes replaced: ${report.volumesReplaced.length}`,
    ];
    ctx.io.stdout(`${lines.join("\n")}\n`);
}

async function runRollback(ctx: Context): Promise<number> {
    const { docker, targets, stack } = ctx;
    const plan = readPlan(ctx);
    const stateFile = `${ctx.planFile}.state.json`;
    if (!existsSync(stateFile))
        throw new UsageError(`${stateFile} does not exist: rollback needs the record of an adoption (npm run adopt -- adopt ${stack} first)`);
    const record = JSON.parse(readFileSync(stateFile, "utf8")) as CutoverRecord;
    const ping = await docker.run(["version", "--format", "{{.Server.Version}}"]);
    if (ping.code !== 0)
        throw new Refused(`cannot reach the Docker daemon at ${docker.host}: ${lastLine(ping.stderr) || `exit ${ping.code}`}. Nothing was changed.`);
    const fileVolumes = plan.volumes
        .filter((v) => v.adoptAs !== null)
        .map((v) => targets.volumes.find((t) => t.key === v.adoptAs)!)
        .filter((t) => t.kind === "files");
    const running = async (name: string) => (await docker.run(["inspect", "--format", "{{.State.Running}}", name])).stdout.trim() === "true";
    const pgContainer = dockerName(stack, "postgres");
    const mysqlContainer = dockerName(stack, "mysql");
    const now = await fingerprint(
        docker,
        ctx.settings.images.postgres,
        {
            postgres: plan.postgres && (await running(pgContainer)) ? { container: pgContainer, superuser: "postgres" } : undefined,
            mysql: plan.mysql && (await running(mysqlContainer)) ? { container: mysqlContainer } : undefined,
        },
        rollbackVolumes(fileVolumes),
    );
    // Only stores measured both at cutover and now are compared: a stopped store was written by nobody.
    const group = (k: string) => (k.startsWith("volume/") ? k.split("/").slice(0, 2).join("/") : k.split("/")[0]!);
    const both = new Set(
        Object.keys(record.after)
            .map(group)
            .filter((g) => Object.keys(now).some((k) => group(k) === g)),
    );
    // Volumes the services write by themselves as they run are reported, not refused on.
    const selfWritten = new Set(fileVolumes.filter((t) => t.rollback === "report").map((t) => `volume/${t.key}`));
    const pick = (fp: Fingerprint, users: boolean) =>
        Object.fromEntries(Object.entries(fp).filter(([k]) => both.has(group(k)) && selfWritten.has(group(k)) !== users));
    const lost = describeWritesSince(pick(record.after, true), pick(now, true));
    const serviceWrites = describeWritesSince(pick(record.after, false), pick(now, false));
    const serviceLines = serviceWrites.length
        ? `Written since by the services themselves (their own history; no reason to refuse), also lost by a rollback:\n${serviceWrites.map((l) => `  ${l}`).join("\n")}\n`
        : "";
    if (lost.length > 0 && !ctx.force)
        throw new Refused(
            `the stack has taken writes since the cutover (${record.finishedAt}); a rollback would lose them:\n${lost.map((l) => `  ${l}`).join("\n")}\n${serviceLines}Nothing was changed. --force rolls back anyway.`,
        );
    for (const base of [...record.takenOverBy].reverse()) {
        const service = Object.entries(targets.containers).find(([, n]) => n === base)?.[0];
        const grace = targets.volumes.find((t) => t.service === service)?.stopGraceSeconds ?? 30;
        for (const name of service === undefined ? [base] : await serviceContainers(docker, stack, service, base)) {
            const r = await docker.run(["stop", "-t", String(grace), name]);
            if (r.code !== 0 && !/No such container/.test(r.stderr)) throw new Refused(`docker stop ${name} failed: ${lastLine(r.stderr)}`);
        }
    }
    // Stores first, then what uses them: the reverse of the stop order.
    for (const name of [...record.stopped].reverse()) {
        const policy = record.restartPolicies?.[name];
        if (policy !== undefined && /^(always|unless-stopped|on-failure(:\d+)?)$/.test(policy)) await docker.ok(["update", "--restart", policy, name]);
        await docker.ok(["start", name]);
    }
    const report = { stack, stopped: record.takenOverBy, started: [...record.stopped].reverse(), writesLost: lost, serviceWritesLost: serviceWrites };
    ctx.io.stdout(
        ctx.json
            ? `${JSON.stringify(report, null, 2)}\n`
            : `Stack ${stack} rolled back: stopped ${report.stopped.join(", ")}; started ${report.started.join(", ")} on their untouched volumes.\n${lost.length ? `Lost (forced):\n${lost.map((l) => `  ${l}`).join("\n")}\n` : ""}${serviceLines}Do not run \`pulumi up\` on ${stack} before adopting again: it would start the stopped containers.\n`,
    );
    return 0;
}

const OPTIONS = {
    plan: { type: "string" },
    json: { type: "boolean" },
    force: { type: "boolean" },
    config: { type: "string" },
    "docker-host": { type: "string" },
    help: { type: "boolean", short: "h" },
} as const;

/** Runs the tool; returns the exit code instead of exiting, so tests (and the e2e) can call it. */
export async function main(
    argv: readonly string[],
    env: Readonly<Record<string, string | undefined>>,
    io: AdoptIo,
    runner: Runner = spawnRunner,
): Promise<number> {
    // The GitLab content has its own tool (it reads the GitLab API, not the Docker host).
    if (argv[0] === "gitlab") return adoptGitlab(argv.slice(1), { ...io, env });
    let ctx: Context;
    let verb: string;
    try {
        const parsed = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: true });
        const values = parsed.values;
        if (values.help) {
            io.stdout(`${USAGE}\n`);
            return 0;
        }
        if (parsed.positionals.length !== 2) throw new UsageError("expected exactly two arguments: discover|adopt|rollback <stack>");
        const [v, stack] = parsed.positionals as [string, string];
        verb = v;
        if (!["discover", "adopt", "rollback"].includes(verb)) throw new UsageError(`expected discover, adopt or rollback, got ${JSON.stringify(verb)}`);
        if (!isStackName(stack)) throw new UsageError(`<stack>: a stack name, got ${JSON.stringify(stack)}`);
        const configFile = values.config ?? path.join(ROOT, `Pulumi.${stack}.yaml`);
        let settings: PlatformSettings;
        try {
            settings = stackSettings(stack, configFile);
        } catch (err) {
            throw new UsageError(`${configFile}: ${err instanceof ConfigError ? err.message : (err as Error).message}`);
        }
        const dockerHost = values["docker-host"] ?? env.NEXORA_DOCKER_HOST ?? settings.dockerHost;
        ctx = {
            stack,
            settings,
            targets: adoptionTargets(settings),
            docker: new Docker(runner, env.NEXORA_DOCKER_CLI ?? "docker", dockerHost),
            planFile: path.resolve(values.plan ?? `adopt-${stack}.yaml`),
            json: values.json ?? false,
            force: values.force ?? false,
            io,
            env,
            runner,
            configFile,
        };
    } catch (err) {
        io.stderr(`adopt: ${(err as Error).message}\n\n${USAGE}\n`);
        return 2;
    }
    try {
        return verb === "discover" ? await runDiscover(ctx) : verb === "adopt" ? await runAdopt(ctx) : await runRollback(ctx);
    } catch (err) {
        if (err instanceof UsageError) {
            io.stderr(`adopt: ${err.message}\n`);
            return 2;
        }
        if (err instanceof Refused) {
            io.stderr(`adopt: ${err.message}\n`);
            return 1;
        }
        throw err;
    }
}

if (require.main === module) {
    main(process.argv.slice(2), process.env, { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) }).then(
        (code) => {
            process.exitCode = code;
        },
        (err: unknown) => {
            process.stderr.write(`adopt: ${String(err)}\n`);
            process.exitCode = 1;
        },
    );
}

/**
 * Writes a credential into a file at the root of a volume, readable by its owner only. The value
 * travels in the environment of a container without a network, never on a command line.
 */
async function writeRecord(docker: Docker, image: string, volume: string, file: string, value: string): Promise<void> {
    await docker.ok(
        [
            "run",
            "--rm",
            "--network",
            "none",
            "-e",
            "RECORD_VALUE",
            "-v",
            `${volume}:/to`,
            "--entrypoint",
            "sh",
            image,
            "-c",
            `umask 077 && printf '%s' "$RECORD_VALUE" > /to/${file}`,
        ],
        { env: { RECORD_VALUE: value } },
    );
}
