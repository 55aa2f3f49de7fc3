/**
 * Finds every credential a resource receives, whatever the resource type: inputs and map entries
 * with credential-like names (provider `token`/`apiToken`, command `environment`), container
 * `envs` entries, `{key|name|label, value}` pairs, passwords in URLs/DSNs, assignments inside
 * rendered config (GITLAB_OMNIBUS_CONFIG, uploaded files, command scripts) and CLI flags.
 * Values unknown at preview are skipped one at a time.
 */
import { textAssignments, urlCredentials } from "./config-text";
import { parseEnvEntry } from "./docker";
import { isCredentialKey, isUserKey, pairedUsername } from "./keys";
import { knownEntries, knownIndexed, read, readString } from "./unknown";

/** A credential value and where the resource receives it. */
export interface CredentialCandidate {
    /** Where it sits, for messages, e.g. "envs[DB_PASSWORD]", "envs[DATABASE_URL] URL password". Never the value. */
    readonly location: string;
    readonly value: string;
    /** The user name that goes with it, when the input names one. */
    readonly username?: string;
}

// Inputs whose text is configuration or script to look inside even when single-line.
const TEXT_INPUTS = new Set(["content", "create", "update", "delete", "read", "script", "GITLAB_OMNIBUS_CONFIG"]);
// Inputs that are argv lists: `--flag value` pairs span two elements.
const ARGV_INPUTS = new Set(["command", "entrypoint", "args"]);
// Max nesting followed: resource inputs are shallow; this only guards against cycles in odd values.
const MAX_DEPTH = 12;

interface Walk {
    readonly out: CredentialCandidate[];
    readonly usernames: Set<string>;
}

function joinPath(base: string, key: string | number): string {
    if (typeof key === "number") {
        return `${base}[${key}]`;
    }
    return base === "" ? key : /^[A-Za-z_$][\w$]*$/.test(key) ? `${base}.${key}` : `${base}[${key}]`;
}

function scanText(walk: Walk, location: string, text: string, key: string | undefined): void {
    for (const url of urlCredentials(text)) {
        walk.out.push({ location: `${location} URL password`, value: url.password, username: url.username || undefined });
    }
    if (text.includes("\n") || (key !== undefined && TEXT_INPUTS.has(key))) {
        const assignments = textAssignments(text);
        const siblings = new Map(assignments.map((a) => [a.key, a.value]));
        for (const a of assignments) {
            if (isCredentialKey(a.key)) {
                walk.out.push({ location: `${location} ${a.label}`, value: a.value, username: pairedUsername(a.key, siblings) });
            } else if (isUserKey(a.key) && a.value !== "") {
                walk.usernames.add(a.value);
            }
        }
    }
}

/** An argv list: `--flag value` spans two elements, `--flag=value` one; element boundaries are exact. */
function scanArgv(walk: Walk, location: string, argv: readonly [number, string][]): void {
    const flags = new Map<string, string>();
    const found: { flag: string; value: string }[] = [];
    argv.forEach(([, arg], j) => {
        const m = /^--?([A-Za-z][\w-]*)(?:=([\s\S]*))?$/.exec(arg);
        if (m === null) {
            scanText(walk, `${location}[${argv[j][0]}]`, arg, undefined);
            return;
        }
        const value = m[2] ?? (j + 1 < argv.length ? argv[j + 1][1] : undefined);
        if (value !== undefined) {
            flags.set(m[1], value);
            if (isCredentialKey(m[1])) {
                found.push({ flag: arg.replace(/=[\s\S]*$/, ""), value });
            }
        }
    });
    for (const f of found) {
        walk.out.push({ location: `${location} ${f.flag}`, value: f.value, username: pairedUsername(f.flag.replace(/^-+/, ""), flags) });
    }
}

/** Handles a set of named values (object entries, env entries, name/value pairs) that may pair users with passwords. */
function scanNamed(walk: Walk, entries: readonly { key: string; location: string; value: unknown }[], depth: number): void {
    const siblings = new Map<string, string>();
    for (const e of entries) {
        if (typeof e.value === "string") {
            siblings.set(e.key, e.value);
            if (isUserKey(e.key) && e.value !== "") {
                walk.usernames.add(e.value);
            }
        }
    }
    for (const e of entries) {
        if (typeof e.value === "string" && isCredentialKey(e.key)) {
            walk.out.push({ location: e.location, value: e.value, username: pairedUsername(e.key, siblings) });
        } else {
            visit(walk, e.value, e.location, e.key, depth + 1);
        }
    }
}

function visit(walk: Walk, value: unknown, location: string, key: string | undefined, depth: number): void {
    if (depth > MAX_DEPTH) {
        return;
    }
    if (typeof value === "string") {
        // A command's single-line stdin is a payload handed to a program (a token on its way
        // into a container): a credential channel, judged for strength like one.
        if (key === "stdin" && depth === 1 && value !== "" && !value.includes("\n")) {
            walk.out.push({ location, value });
            return;
        }
        scanText(walk, location, value, key);
        return;
    }
    if (Array.isArray(value)) {
        const items = knownIndexed(value);
        if (key === "envs" || key === "env") {
            scanNamed(
                walk,
                items
                    .filter((item): item is [number, string] => typeof item[1] === "string")
                    .map(([, entry]) => {
                        const env = parseEnvEntry(entry);
                        return { key: env.key, location: `${location}[${env.key}]`, value: env.value };
                    }),
                depth,
            );
            return;
        }
        if (key !== undefined && ARGV_INPUTS.has(key)) {
            scanArgv(
                walk,
                location,
                items.filter((item): item is [number, string] => typeof item[1] === "string"),
            );
            return;
        }
        for (const [i, item] of items) {
            visit(walk, item, joinPath(location, i), undefined, depth + 1);
        }
        return;
    }
    if (value !== null && typeof value === "object") {
        const entries = knownEntries(value);
        // {file, content}: an uploaded file named for a credential (a secret file a program reads,
        // e.g. Alertmanager's webhook) holds that credential as its whole content.
        const fileField = entries.find(([k, v]) => k === "file" && typeof v === "string");
        const contentField = entries.find(([k, v]) => k === "content" && typeof v === "string");
        if (fileField !== undefined && contentField !== undefined) {
            const base = (fileField[1] as string)
                .split("/")
                .pop()!
                .replace(/\.[^.]*$/, "");
            if (isCredentialKey(base) && !(contentField[1] as string).includes("\n")) {
                walk.out.push({ location: joinPath(location, "content"), value: contentField[1] as string });
                return;
            }
        }
        // {key|name|label, value}: a named value (ProjectVariable, labels, map-like lists).
        const nameField = entries.find(([k, v]) => ["key", "name", "label"].includes(k) && typeof v === "string");
        const valueField = entries.find(([k]) => k === "value");
        if (nameField !== undefined && valueField !== undefined && typeof valueField[1] === "string") {
            const pairName = nameField[1] as string;
            scanNamed(
                walk,
                [
                    { key: pairName, location: `${joinPath(location, "value")} (${pairName})`, value: valueField[1] },
                    ...entries.filter(([k]) => k !== "value").map(([k, v]) => ({ key: k, location: joinPath(location, k), value: v })),
                ],
                depth,
            );
            return;
        }
        scanNamed(
            walk,
            entries.map(([k, v]) => ({ key: k, location: joinPath(location, k), value: v })),
            depth,
        );
    }
}

/** Every credential in a resource's inputs (or outputs, for stack policies). */
export function extractCredentials(props: unknown): CredentialCandidate[] {
    return collect(props).out;
}

/** User names the resource's inputs mention (DB_USER, POSTGRES_USER, username...), for zxcvbn. */
export function mentionedUsernames(props: unknown): string[] {
    return [...collect(props).usernames];
}

function collect(props: unknown): Walk {
    const walk: Walk = { out: [], usernames: new Set() };
    visit(walk, props, "", undefined, 0);
    for (const c of walk.out) {
        if (c.username !== undefined && c.username !== "") {
            walk.usernames.add(c.username);
        }
    }
    return walk;
}

/** The `nexora.service` label, container name, hostname and image of a resource, for zxcvbn. */
export function describingNames(props: unknown): string[] {
    const names: string[] = [];
    for (const key of ["name", "hostname", "image"]) {
        const value = readString(props, key);
        if (value !== undefined) {
            names.push(value);
        }
    }
    for (const [, item] of knownIndexed(read(props, "labels"))) {
        const value = readString(item, "value");
        if (value !== undefined) {
            names.push(value);
        }
    }
    return names;
}

/**
 * The stack's own words, which an attacker reads off its URLs and names: the project (the
 * company's name) and stack from the URN, and the labels of the hosts of the URLs the inputs
 * mention (the domain: `example.com` in `https://gitlab.example.com`), credentials left out.
 */
export function stackWords(urn: string, props: unknown, credentials: readonly string[] = []): string[] {
    const words: string[] = [];
    // urn:pulumi:<stack>::<project>::<type>::<name>
    const m = /^urn:pulumi:([^:]+)::([^:]+)::/.exec(urn);
    if (m !== null) {
        words.push(m[1], m[2]);
    }
    const hostnames = new Set<string>();
    const walk = (value: unknown, depth: number): void => {
        if (depth > MAX_DEPTH) {
            return;
        }
        if (typeof value === "string") {
            // Only the hosts of URLs, and never inside a credential: a password's own "abc.defg"
            // must not become a word that makes it look guessable.
            let text = value;
            for (const credential of credentials) if (credential.length > 0) text = text.split(credential).join(" ");
            for (const m of text.toLowerCase().matchAll(/[a-z][a-z0-9+.-]*:\/\/(?:[^/@\s'"]*@)?((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63})\b/g)) {
                hostnames.add(m[1]);
            }
        } else if (Array.isArray(value)) {
            for (const [, item] of knownIndexed(value)) walk(item, depth + 1);
        } else if (value !== null && typeof value === "object") {
            for (const [, item] of knownEntries(value)) walk(item, depth + 1);
        }
    };
    walk(props, 0);
    for (const host of hostnames) {
        words.push(...host.split(".").filter((label) => label.length >= 3));
    }
    return words;
}

/** The words of the name a credential sits under ("envs[SMTP_PASSWORD]" gives "envs", "smtp", "password"). */
export function locationWords(location: string): string[] {
    return location
        .toLowerCase()
        .split(/[^a-z0-9]+/)
        .filter((w) => w.length >= 3);
}
