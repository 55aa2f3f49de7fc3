import type { Violation } from "../../policies/offline";
import type { PlanResource } from "./evaluate";

const MAX_VALUE_CHARS = 100;

/** The inputs worth a line in the inventory, per type; other types show their scalar inputs. */
const KEY_INPUTS: Record<string, readonly string[]> = {
    "docker:index/container:Container": ["name", "networksAdvanced", "mounts", "ports", "restart", "memory"],
    "docker:index/remoteImage:RemoteImage": ["name"],
    "docker:index/volume:Volume": ["name"],
    "docker:index/network:Network": ["name", "internal", "ipamConfigs"],
    "random:index/randomPassword:RandomPassword": ["length", "special"],
    "random:index/randomBytes:RandomBytes": ["length"],
    "command:local:Command": ["create", "triggers"],
    "cloudflare:index/dnsRecord:DnsRecord": ["name", "type", "content", "proxied"],
    "gitlab:index/application:Application": ["name", "redirectUrl", "scopes", "confidential"],
    "pulumi:providers:docker": ["host"],
    "pulumi:providers:gitlab": ["baseUrl", "token"],
};

function short(value: unknown): string {
    const text = (typeof value === "string" ? value : JSON.stringify(summarize(value))).replace(/\s+/g, " ");
    return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
}

/** Compacts docker's list inputs to what a reader scans for. */
function summarize(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map((v) => {
            if (v && typeof v === "object") {
                const o = v as Record<string, unknown>;
                if ("target" in o && "source" in o) return `${String(o.source)}:${String(o.target)}${o.readOnly ? ":ro" : ""}`;
                if ("internal" in o && "external" in o) return `${String(o.external)}->${String(o.internal)}`;
                if ("subnet" in o) return o.subnet;
                if ("name" in o && Object.keys(o).length <= 2) return o.name;
            }
            return v;
        });
    }
    return value;
}

function inputLine(r: PlanResource): string {
    const keys =
        KEY_INPUTS[r.type] ??
        Object.keys(r.inputs)
            .filter((k) => typeof r.inputs[k] !== "object")
            .slice(0, 5);
    const parts = keys.filter((k) => r.inputs[k] !== undefined).map((k) => `${k}=${short(r.inputs[k])}`);
    const secrets = r.secretInputs.filter((k) => !keys.includes(k));
    if (secrets.length > 0) parts.push(`secret: ${secrets.join(", ")}`);
    return parts.join("  ");
}

/** The stack outputs, as `pulumi stack output` would show them after `up`: secret ones by name only. */
export interface InventoryOutputs {
    readonly values: Readonly<Record<string, unknown>>;
    readonly secret: readonly string[];
}

/** What the stack gives its users: URLs, GitLab over SSH, monitors, where the backups go, and the secret outputs by name. */
function outputLines(stack: string, outputs: InventoryOutputs): string[] {
    const lines = ["", "Outputs (what the stack gives its users; `pulumi stack output` after `pulumi up`):"];
    const v = outputs.values as {
        environment?: string;
        urls?: Record<string, string>;
        gitlabSsh?: { host: string; port: number };
        monitors?: readonly { name: string; url: string; intervalSeconds: number; acceptedStatusCodes: readonly string[] }[];
        backups?: { schedule: string; stores: readonly string[]; targets: Record<string, string> };
    };
    const secret = new Set(outputs.secret);
    if (v.environment !== undefined) lines.push(`  environment  ${v.environment}`);
    const urls = Object.entries(v.urls ?? {});
    if (urls.length > 0) {
        const width = Math.max(...urls.map(([k]) => k.length));
        lines.push("  urls:", ...urls.map(([k, url]) => `    ${k.padEnd(width)}  ${url}`));
    }
    if (v.gitlabSsh) lines.push(`  gitlabSsh    git clone ssh://git@${v.gitlabSsh.host}:${v.gitlabSsh.port}/<group>/<project>.git`);
    if (v.monitors && v.monitors.length > 0) {
        lines.push(`  monitors (${v.monitors.length}, for Uptime Kuma):`);
        for (const m of v.monitors) lines.push(`    ${m.name}  ${m.url}  every ${m.intervalSeconds} s, expects ${m.acceptedStatusCodes.join(", ")}`);
    }
    if (v.backups) {
        lines.push(`  backups: ${v.backups.stores.join(", ")} on schedule ${JSON.stringify(v.backups.schedule)} (UTC), to:`);
        for (const [target, where] of Object.entries(v.backups.targets)) lines.push(`    ${target}  ${where}`);
    } else if (!secret.has("backups")) {
        lines.push("  backups: none (nexora:backupEnabled is false)");
    }
    const hidden = Object.keys(outputs.values).filter((k) => secret.has(k) && outputs.values[k] !== undefined);
    if (hidden.length > 0) {
        lines.push(`  secret (not shown): ${hidden.join(", ")}`, `    pulumi stack output --stack ${stack} --show-secrets <name>`);
    }
    return lines;
}

/**
 * The readable inventory: one block per component with its custom resources (type, name, key
 * inputs, protection), the policy findings, then the stack's outputs.
 */
export function renderInventory(
    stack: string,
    resources: readonly PlanResource[],
    violations: readonly Violation[],
    placeholders: readonly string[],
    outputs?: InventoryOutputs,
): string {
    const lines: string[] = [
        `Stack ${stack}: ${resources.filter((r) => r.custom).length} resources in ${resources.filter((r) => !r.custom).length} components`,
    ];
    if (placeholders.length > 0) {
        lines.push("", "Secret config replaced by placeholders:", ...placeholders.map((p) => `  ${p}`));
    }
    const byParent = new Map<string, PlanResource[]>();
    for (const r of resources) {
        const key = r.parent ?? "";
        const siblings = byParent.get(key);
        if (siblings) siblings.push(r);
        else byParent.set(key, [r]);
    }
    const components = resources.filter((r) => !r.custom);
    for (const component of components) {
        const children = (byParent.get(component.urn) ?? []).filter((c) => c.custom);
        if (children.length === 0) continue;
        lines.push("", `${component.type}  ${component.name}`);
        for (const child of children) {
            const flags = [child.protect ? "protected" : "", child.retainOnDelete ? "retained" : ""].filter(Boolean).join(",");
            lines.push(`  ${child.type}  ${child.name}${flags ? `  [${flags}]` : ""}`);
            const detail = inputLine(child);
            if (detail) lines.push(`      ${detail}`);
        }
    }
    const mandatory = violations.filter((v) => v.level === "mandatory");
    lines.push("", `Policy pack: ${mandatory.length} mandatory, ${violations.length - mandatory.length} advisory violation(s)`);
    for (const v of violations) {
        lines.push(`  [${v.level}] ${v.policy}  ${v.urn}`, `      ${v.message}`);
    }
    if (outputs) lines.push(...outputLines(stack, outputs));
    return lines.join("\n") + "\n";
}
