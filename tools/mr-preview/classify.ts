// What a step means for a reviewer: which group it is listed under, whether it destroys
// something, and whether what it destroys holds data.
import { PreviewReport, PreviewStep, parseUrn } from "./model";

/** Note sections, most dangerous first: the order resources are listed and kept when cut. */
export const GROUP_ORDER = ["delete", "replace", "update", "create", "import", "other"] as const;
export type OpGroup = (typeof GROUP_ORDER)[number];

export const GROUP_TITLES: Readonly<Record<OpGroup, string>> = {
    delete: "🗑️ Delete",
    replace: "♻️ Replace",
    update: "✏️ Update in place",
    create: "➕ Create",
    import: "📥 Import",
    other: "ℹ️ Other",
};

export function opGroup(op: string): OpGroup {
    switch (op) {
        case "delete":
            return "delete";
        case "replace":
        case "create-replacement":
        case "delete-replaced":
        case "read-replacement":
        case "import-replacement":
        case "discard-replaced":
            return "replace";
        case "update":
            return "update";
        case "create":
            return "create";
        case "import":
            return "import";
        default:
            return "other";
    }
}

export function isDestructive(step: PreviewStep): boolean {
    const group = opGroup(step.op);
    return group === "delete" || group === "replace";
}

/**
 * GitLab objects at repository level (groups, projects and what hangs off a project): the MR note
 * lists their changes in a section of their own, since a reviewer of infrastructure may not read
 * a repository's protection or CI variables as the change it is.
 */
export const REPOSITORY_TYPES: readonly string[] = [
    "gitlab:index/group:Group",
    "gitlab:index/project:Project",
    "gitlab:index/groupVariable:GroupVariable",
    "gitlab:index/projectVariable:ProjectVariable",
    "gitlab:index/branchProtection:BranchProtection",
    "gitlab:index/tagProtection:TagProtection",
    "gitlab:index/projectHook:ProjectHook",
    "gitlab:index/projectDeployToken:ProjectDeployToken",
];
/** A group or project: its repositories, issues and history go with it. */
const REPOSITORY_HOLDERS = ["gitlab:index/group:Group", "gitlab:index/project:Project"];

/** `@pulumi/command`'s local command: how the program runs scripts in containers. */
export const COMMAND_TYPE = "command:local:Command";

// Container and logical names that mean "this holds data" (contract with the plan command).
const DATA_BEARING_NAME = /(postgres|mysql|mariadb|gitlab[-_]?data|gitlab[-_].*(data|config))/i;

/**
 * Why losing this resource could lose data, empty when it cannot. A volume's contents go
 * with it; a protected resource was protected for a reason; database containers and
 * GitLab's data are data-bearing by name.
 */
export function statefulReasons(step: PreviewStep): string[] {
    const reasons: string[] = [];
    const isVolume = step.type === "docker:index/volume:Volume";
    if (isVolume) {
        // retainOnDelete keeps the bytes on the host, but the service no longer sees them.
        const retained = step.oldState?.retainOnDelete === true;
        if (!retained) reasons.push("Docker volume: its data is deleted with it");
        else if (opGroup(step.op) === "replace")
            reasons.push("Docker volume: the service restarts on a new, empty volume (the old one stays on the host, unmanaged)");
        else reasons.push("Docker volume: kept on the host but no longer managed (retainOnDelete)");
    }
    if (REPOSITORY_HOLDERS.includes(step.type)) {
        // retainOnDelete: the engine forgets it and GitLab keeps it.
        if (step.oldState?.retainOnDelete === true && opGroup(step.op) === "delete") reasons.push("GitLab keeps it (retainOnDelete): no longer managed");
        else reasons.push("GitLab repository data: code, issues and history go with it");
    }
    if (step.oldState?.protect || step.newState?.protect) reasons.push("protected resource");
    const containerName = [step.oldState?.inputs.name, step.newState?.inputs.name].find((n): n is string => typeof n === "string");
    // A volume's reason already says its data goes; the name adds nothing for it. A command
    // (postgres-provisioning) holds no data: replacing it runs a script against the database.
    if (
        !isVolume &&
        step.type !== COMMAND_TYPE &&
        (DATA_BEARING_NAME.test(step.name) || (containerName !== undefined && DATA_BEARING_NAME.test(containerName)))
    ) {
        reasons.push("data-bearing (database or GitLab data)");
    }
    return reasons;
}

/**
 * What replacing a command really does, for a reviewer who reads "replace" as downtime.
 * `@pulumi/command` marks `triggers` replace-on-change, so every re-run of an in-container
 * script (components/docker/exec.ts) is a replacement: the engine runs the old resource's
 * `delete` (when it has one) and then `create`. No container or service goes away.
 * Undefined for anything that is not a replaced command.
 */
export function commandReplacementHint(step: PreviewStep): { readonly runsDelete: boolean } | undefined {
    if (step.type !== COMMAND_TYPE || opGroup(step.op) !== "replace") return undefined;
    const del = step.oldState?.inputs.delete;
    return { runsDelete: typeof del === "string" ? del.trim() !== "" : del !== undefined && del !== null };
}

export const CONTAINER_TYPE = "docker:index/container:Container";
const RANDOM_ID_TYPE = "random:index/randomId:RandomId";

/**
 * Components whose container is released (components/docker/release.ts): business apps (review
 * apps are business apps too) and the portal. Their container is replaced create-first
 * (deleteBeforeReplace: false) under a new name; every other container of the program is
 * replaced delete-first (components/docker/service.ts). Contract with the program, checked
 * against every stack's registrations in tests/mr-preview/container-replacement.test.ts.
 */
export const RELEASING_COMPONENT_TYPES: readonly string[] = ["nexora:apps:BusinessApp", "nexora:portal:Portal"];

function parentOf(step: PreviewStep): string | undefined {
    return step.newState?.parent ?? step.oldState?.parent;
}

/**
 * How a replaced container goes, undefined for anything else. `release`: a health-gated
 * release, the new container created beside the old one, which serves until the new one passes
 * its health check and Caddy switches to it (no downtime). `delete-first`: the old container
 * stops before the new one starts (downtime for its service). A container is released when its
 * component releases (RELEASING_COMPONENT_TYPES), or when the same preview renews a release id
 * of its own (`<base>-release` beside `<base>-container`, same parent).
 */
export function containerReplacement(step: PreviewStep, steps: readonly PreviewStep[]): "release" | "delete-first" | undefined {
    if (step.type !== CONTAINER_TYPE || opGroup(step.op) !== "replace") return undefined;
    const component = parseUrn(step.urn).parentTypes.at(-1);
    if (component !== undefined && RELEASING_COMPONENT_TYPES.includes(component)) return "release";
    const base = step.name.endsWith("-container") ? step.name.slice(0, -"-container".length) : undefined;
    const parent = parentOf(step);
    const renewsRelease = steps.some(
        (s) => base !== undefined && s.type === RANDOM_ID_TYPE && s.name === `${base}-release` && parentOf(s) === parent && opGroup(s.op) === "replace",
    );
    return renewsRelease ? "release" : "delete-first";
}

/** Counts per op as the header shows them: the engine's own tally when it gave one. */
export function countOps(report: PreviewReport): Record<string, number> {
    if (report.changeSummary && Object.keys(report.changeSummary).length > 0) return { ...report.changeSummary };
    const counts: Record<string, number> = {};
    for (const step of report.steps) counts[step.op] = (counts[step.op] ?? 0) + 1;
    return counts;
}

/** Header order: the ops reviewers look for first, then whatever else the engine reported. */
export const COUNT_ORDER = ["create", "update", "replace", "delete", "import", "read", "same"];

export function hasChanges(counts: Readonly<Record<string, number>>): boolean {
    return Object.entries(counts).some(([op, count]) => op !== "same" && count > 0);
}
