/**
 * Credentials inside rendered configuration text: the GitLab omnibus config (Ruby), uploaded
 * files (TOML, YAML, INI, env files), shell scripts of commands, CLI flags, and URLs with
 * `user:password@`. Pattern-based on purpose: the pack must judge text it did not render.
 */
import { isCredentialKey } from "./keys";

/** A `key → value` assignment found in a text. */
export interface TextAssignment {
    /** The key as written, e.g. "db_password", "auth.token", "--admin-password". */
    readonly key: string;
    /** How a message refers to it, e.g. "gitlab_rails['db_password']". */
    readonly label: string;
    readonly value: string;
}

const QUOTED = String.raw`(?:'((?:\\.|[^'\\])*)'|"((?:\\.|[^"\\])*)")`;

// Each pattern yields [label-ish prefix, key, single-quoted value, double-quoted value] or an unquoted value.
const QUOTED_PATTERNS: { readonly re: RegExp; readonly label: (m: RegExpExecArray) => string }[] = [
    // gitlab_rails['db_password'] = '...'
    { re: new RegExp(String.raw`(\w+)\[\s*['"]([\w.-]+)['"]\s*\]\s*=\s*${QUOTED}`, "g"), label: (m) => `${m[1]}['${m[2]}']` },
    // 'app_secret' => '...'   (Ruby hash rocket)
    { re: new RegExp(String.raw`()['"]([\w.-]+)['"]\s*=>\s*${QUOTED}`, "g"), label: (m) => `'${m[2]}'` },
    // password: '...'   (Ruby symbol key, quoted YAML value)
    { re: new RegExp(String.raw`()(?<![\w.-])([A-Za-z_][\w.-]*)\s*:\s+${QUOTED}`, "g"), label: (m) => m[2] },
    // auth.token = "..."   (TOML, INI, Ruby attribute, shell with quotes)
    { re: new RegExp(String.raw`()(?<![\w.\]-])([A-Za-z_][\w.-]*)\s*=\s*${QUOTED}`, "g"), label: (m) => m[2] },
    // t.set_token('...')   (gitlab-rails runner one-liners)
    { re: new RegExp(String.raw`()\b(\w+)\(\s*${QUOTED}\s*\)`, "g"), label: (m) => `${m[2]}(...)` },
    // --admin-password '...'  /  --admin-password="..."
    { re: new RegExp(String.raw`()(?<![\w-])(--?[A-Za-z][\w-]*)(?:=|\s+)${QUOTED}`, "g"), label: (m) => m[2] },
];

const UNQUOTED_PATTERNS: { readonly re: RegExp; readonly label: (m: RegExpExecArray) => string }[] = [
    // PGPASSWORD=... psql   (shell assignment, env file)
    { re: /()(?<![\w.-])([A-Za-z_][A-Za-z0-9_]*)=([^\s'"`;&|]+)/g, label: (m) => m[2] },
    // password: value   /   password = value   (YAML, INI) — whole rest of the line
    { re: /()^[ \t]*([A-Za-z_][\w.-]*)[ \t]*[:=][ \t]*([^\s'"#][^\n#]*?)[ \t]*$/gm, label: (m) => m[2] },
    // --admin-password value  /  --admin-password=value
    { re: /()(?<![\w-])(--?[A-Za-z][\w-]*)(?:=|[ \t]+)([^\s'"-][^\s'"]*)/g, label: (m) => m[2] },
];

/**
 * True for values that are only a reference to a credential defined elsewhere: `$VAR`, `${VAR}`,
 * a shell function's positional parameter (`$1`, `${10}`), `#{ENV['X']}`, `{{ .Envs.X }}`. Whole
 * values only: a generated password may well contain "${".
 */
export function isReference(value: string): boolean {
    return /^(\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|\$[0-9]|\$\{[0-9]+\}|\$\{[^}]+\}|#\{[^}]+\}|\{\{[^}]+\}\})$/.test(value.trim());
}

/**
 * True for an unquoted value that is code computing the credential at run time: a method call on
 * an object, `user.personal_access_tokens.new(...)` or `ENV.fetch("X")` in a Ruby script. Needs
 * the dot and the call's parenthesis right after a dotted name, which no YAML/INI/env literal has;
 * a quoted value is always a literal.
 */
export function isCodeExpression(value: string): boolean {
    return /^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*[!?]?)+\([^()]*\)/.test(value.trim());
}

function unescape(value: string): string {
    return value.replace(/\\(.)/g, "$1");
}

/** Every `key → value` assignment in a configuration or script text (values that are references excluded). */
export function textAssignments(text: string): TextAssignment[] {
    // Several patterns can see the same value; the first (most specific) one wins.
    const seen = new Set<number>();
    const out: TextAssignment[] = [];
    const take = (key: string, label: string, value: string, at: number): void => {
        if (seen.has(at)) {
            return;
        }
        seen.add(at);
        if (!isReference(value)) {
            out.push({ key, label, value });
        }
    };
    for (const { re, label } of QUOTED_PATTERNS) {
        re.lastIndex = 0;
        for (let m = re.exec(text); m !== null; m = re.exec(text)) {
            const raw = m[3] ?? m[4] ?? "";
            take(m[2], label(m), unescape(raw), m.index + m[0].length - raw.length - 1);
        }
    }
    for (const { re, label } of UNQUOTED_PATTERNS) {
        re.lastIndex = 0;
        for (let m = re.exec(text); m !== null; m = re.exec(text)) {
            if (!isCodeExpression(m[3])) take(m[2], label(m), m[3], m.index + m[0].length - m[3].length);
        }
    }
    return out;
}

/** The assignments of a text whose key names a credential. */
export function credentialAssignments(text: string): TextAssignment[] {
    return textAssignments(text).filter((a) => isCredentialKey(a.key));
}

/** A `scheme://user:password@host` found in a text. */
export interface UrlCredential {
    readonly scheme: string;
    readonly username: string;
    readonly password: string;
}

const URL_USERINFO = /\b([a-z][a-z0-9+.-]*):\/\/([^\s:@/'"]*):([^\s@/'"]*)@/gi;

function decode(value: string): string {
    try {
        return decodeURIComponent(value);
    } catch {
        return value;
    }
}

/** Every URL/DSN in `text` that carries a password in its user info. */
export function urlCredentials(text: string): UrlCredential[] {
    const out: UrlCredential[] = [];
    URL_USERINFO.lastIndex = 0;
    for (let m = URL_USERINFO.exec(text); m !== null; m = URL_USERINFO.exec(text)) {
        if (!isReference(m[3])) {
            out.push({ scheme: m[1].toLowerCase(), username: decode(m[2]), password: decode(m[3]) });
        }
    }
    return out;
}
