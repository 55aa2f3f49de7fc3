// adoptImports: objects outside Docker that a stack moved onto the program takes over by import instead of creating them a second time (docs/adopt-claw-bot.md).
import { hasOwn, ownEntries } from "../validators";
import { type Checker, describe, keyPart } from "./checker";

/** GitLab's numeric application id (the `id` of `GET /applications`, not the OAuth client id): the provider's import ID. */
export const GITLAB_APPLICATION_ID = /^[1-9][0-9]{0,18}$/;
/** A Cloudflare DNS record's import ID in @pulumi/cloudflare 6.x: `<zone_id>/<dns_record_id>`, 32 hex digits each. */
export const DNS_RECORD_IMPORT_ID = /^[0-9a-f]{32}\/[0-9a-f]{32}$/;

/** Credentials inside adopted data that only the program can set to its generated value (see readAdoptionImports). */
export const ADOPTED_CREDENTIALS = ["gitlab-root", "portainer-admin"] as const;
export type AdoptedCredential = (typeof ADOPTED_CREDENTIALS)[number];

export interface AdoptionImports {
    /** Import ID of the Outline OAuth application already registered in GitLab; undefined: the program creates one. */
    readonly outlineOAuthApplication?: string;
    /** Import IDs of existing DNS records, by the DNS record's service (a route of the stack). */
    readonly dnsRecords: Readonly<Record<string, string>>;
    /**
     * Credentials the adopted data carries from before, which the program sets to its generated
     * ones: GitLab's root (its `initial_root_password` seeds only an empty database) and Portainer's
     * admin (its `--admin-password` applies only to empty data). Empty: nothing adopted.
     */
    readonly credentials: readonly AdoptedCredential[];
}

/** The import entry's value from the raw `adoptImports` object, leniently (requiredSecretKeys reads it before validation). */
export function adoptsOutlineApplication(raw: string | undefined): boolean {
    if (raw === undefined || raw === "") return false;
    try {
        const parsed: unknown = JSON.parse(raw);
        return (
            parsed !== null &&
            typeof parsed === "object" &&
            hasOwn(parsed, "outlineOAuthApplication") &&
            (parsed as Record<string, unknown>).outlineOAuthApplication !== null
        );
    } catch {
        return false;
    }
}

/**
 * Reads `adoptImports` (already parsed to an object): `outlineOAuthApplication` (GitLab's
 * application id, a string of digits) and `dnsRecords` (service -> `<zone_id>/<record_id>`).
 * Every problem is reported under its own key; an import ID of an object the stack does not
 * declare (Outline off, DNS off, no such route) is an error too, since it would silently do nothing.
 */
export function readAdoptionImports(
    c: Checker,
    value: Record<string, unknown>,
    stack: { readonly outline: boolean; readonly dns: boolean; readonly dnsServices: readonly string[]; readonly gitlab: boolean; readonly portainer: boolean },
): AdoptionImports {
    const key = "adoptImports";
    let outline: string | undefined;
    const dnsRecords: Record<string, string> = Object.create(null) as Record<string, string>;
    const credentials: AdoptedCredential[] = [];
    for (const [i, [field, v]] of ownEntries(value).entries()) {
        if (field === "outlineOAuthApplication") {
            if (v === null) continue;
            const id = typeof v === "number" && Number.isSafeInteger(v) ? String(v) : v;
            if (typeof id !== "string" || !GITLAB_APPLICATION_ID.test(id))
                c.fail(`${key}.outlineOAuthApplication`, `GitLab's numeric application id (Admin > Applications) or null, got ${describe(v)}`);
            else if (!stack.outline)
                c.fail(`${key}.outlineOAuthApplication`, "null when outlineEnabled or gitlabEnabled is false (no Outline application to import)");
            else outline = id;
        } else if (field === "dnsRecords") {
            if (v === null || typeof v !== "object" || Array.isArray(v)) {
                c.fail(`${key}.dnsRecords`, `a mapping of route name: <zone_id>/<record_id>, got ${describe(v)}`);
                continue;
            }
            for (const [j, [service, id]] of ownEntries(v).entries()) {
                const entry = `${key}.dnsRecords.${keyPart(service, j)}`;
                if (!stack.dns) c.fail(entry, "no DNS import when dnsEnabled is false (the stack declares no DNS records)");
                else if (!stack.dnsServices.includes(service))
                    c.fail(entry, `a route of this stack that has a DNS record (one of ${stack.dnsServices.join(", ") || "(none)"})`);
                else if (typeof id !== "string" || !DNS_RECORD_IMPORT_ID.test(id))
                    c.fail(entry, `<zone_id>/<record_id> (32 lowercase hex digits each), got ${describe(id)}`);
                else dnsRecords[service] = id;
            }
        } else if (field === "credentials") {
            if (!Array.isArray(v)) {
                c.fail(`${key}.credentials`, `a list of ${ADOPTED_CREDENTIALS.join(", ")}, got ${describe(v)}`);
                continue;
            }
            for (const [j, item] of (v as unknown[]).entries()) {
                const entry = `${key}.credentials[${j}]`;
                if (!(ADOPTED_CREDENTIALS as readonly unknown[]).includes(item))
                    c.fail(entry, `one of ${ADOPTED_CREDENTIALS.join(", ")}, got ${describe(item)}`);
                else if (credentials.includes(item as AdoptedCredential)) c.fail(entry, `each credential once, got ${describe(item)} twice`);
                else if (item === "gitlab-root" && !stack.gitlab) c.fail(entry, "no gitlab-root when gitlabEnabled is false");
                else if (item === "portainer-admin" && !stack.portainer) c.fail(entry, "no portainer-admin when portainerEnabled is false");
                else credentials.push(item as AdoptedCredential);
            }
        } else {
            c.fail(`${key}.${keyPart(field, i)}`, "one of outlineOAuthApplication, dnsRecords, credentials");
        }
    }
    return Object.freeze({
        ...(outline === undefined ? {} : { outlineOAuthApplication: outline }),
        dnsRecords: Object.freeze(dnsRecords),
        credentials: Object.freeze(credentials),
    });
}
