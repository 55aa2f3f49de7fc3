// Masks credentials in values before they reach a merge-request note. The engine already
// writes "[secret]" for values marked secret; this catches what nobody marked: env
// assignments of passwords, URLs with user:pass@, GitLab/GitHub tokens, random-looking
// strings. It errs towards masking: a masked harmless value costs a reviewer a click on the
// job log, a leaked credential costs a rotation.

/** Written in place of a value that looks like a credential. */
export const MASKED = "[masked]";

/** What the engine writes for a value marked secret. */
export const ENGINE_SECRET = "[secret]";

// Key names that hold credentials: FOO_PASSWORD, dbPassword, OIDC_CLIENT_SECRET, apiKey,
// SECRET_KEY, auth.token, privateKey... A bare "key" is excluded on purpose: it is the
// variable name in gitlab ProjectVariable, not a credential.
const SENSITIVE_KEY =
    /(passw(or)?d|passphrase|pwd$|secret|token|credential|private_?key|api_?key|access_?key|[_-]key$|[a-z]Key$|^pat$|bcrypt|htpasswd|auth$|authorization)/i;

// Names that mention a credential but hold where to find it or how it behaves
// (OIDC_TOKEN_URI, PASSWORD_FILE, TOKEN_TTL): their values help review and are not secret.
const DESCRIBES_A_CREDENTIAL = /(ur[il]|endpoint|path|file|dir|ttl|expiry|expires|expiration|length|algorithm|type|enabled|method|scopes?)$/i;

/** Whether a property or variable name says its value is a credential. */
export function isSensitiveKey(key: string): boolean {
    if (/^key$/i.test(key)) return false;
    return SENSITIVE_KEY.test(key) && !DESCRIBES_A_CREDENTIAL.test(key);
}

// Token formats with a recognisable prefix: GitLab personal/project/deploy/runner/trigger
// tokens, GitHub tokens, Slack and Mattermost-style bot tokens, OpenAI-style keys.
const PREFIXED_TOKEN =
    /\b(glpat-|gldt-|glrt-|glptt-|glcbt-|gloas-|glsoat-|glft-|glimt-|glagent-|ghp_|gho_|ghu_|ghs_|ghr_|github_pat_|xox[abprs]-|sk-)[A-Za-z0-9_\-.]{8,}/g;

// scheme://user:password@host: keep the user (it helps review), hide the password.
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@'"]+:)([^\s@/'"]+)(@)/gi;

// NAME=value and NAME: value pairs (docker envs, flags, config lines) whose name is sensitive.
const ASSIGNMENT = /(^|[\s,;"'{(]|--)([A-Za-z_][A-Za-z0-9_.-]*)(\s*[=:]\s*)("?)([^\s"',;]+)/g;

// bcrypt hashes ($2a$/$2b$/$2y$): Portainer's --admin-password and htpasswd lines.
const BCRYPT = /\$2[abxy]\$\d{2}\$[./A-Za-z0-9]{53}/g;

// Runs of characters that random secrets are made of (hex, base64, base64url).
const RANDOM_RUN = /[A-Za-z0-9+/_-]{24,}={0,2}/g;

function shannonEntropyBitsPerChar(text: string): number {
    const counts = new Map<string, number>();
    for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    let bits = 0;
    for (const count of counts.values()) {
        const p = count / text.length;
        bits -= p * Math.log2(p);
    }
    return bits;
}

/**
 * Whether a run of token characters looks machine-generated. Hex needs 32+ characters
 * mixing digits and letters; other alphabets need upper case, lower case and digits
 * together (words, paths and image references rarely have all three) plus a high entropy.
 */
export function looksRandom(run: string): boolean {
    const core = run.replace(/^[-_/=+]+|[-_/=+]+$/g, "");
    if (/^[0-9a-f]+$/i.test(core)) {
        return core.length >= 32 && /[0-9]/.test(core) && /[a-f]/i.test(core) && shannonEntropyBitsPerChar(core) >= 3.0;
    }
    if (core.length < 24) return false;
    const classes = [/[a-z]/, /[A-Z]/, /[0-9]/].filter((re) => re.test(core)).length;
    if (classes === 3) return shannonEntropyBitsPerChar(core) >= 4.0;
    // Lower case plus digits only (RandomString-style): longer and denser before we call it random.
    return classes === 2 && /[0-9]/.test(core) && core.length >= 32 && shannonEntropyBitsPerChar(core) >= 4.3;
}

function maskRandomRuns(text: string): string {
    return text.replace(RANDOM_RUN, (run, offset: number) => {
        // Image digests and content hashes are identifiers, and reviewers need to see them change.
        const before = text.slice(Math.max(0, offset - 8), offset);
        if (/(sha1|sha256|sha384|sha512|md5):$/i.test(before)) return run;
        return looksRandom(run) ? MASKED : run;
    });
}

// A whole value of the form NAME=value (a docker env entry): everything after "=" is the value.
const WHOLE_ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_.-]*)=([\s\S]+)$/;

// Identifiers (Cloudflare zoneId, accountId, OAuth clientId) are 32-hex and random by
// design but not credentials; reviewers need to see them change. So are the content hashes
// in commands' `triggers` (a secret trigger arrives as "[secret]" from the engine anyway).
const IDENTIFIER_KEY = /(^id$|Id$|_id$|ID$|^uuid$|^triggers$)/;

/**
 * Masks every credential-looking part of one string value. `key` is the property the
 * string sits under, when known.
 */
export function maskString(text: string, key?: string): string {
    if (text === ENGINE_SECRET) return text;
    const whole = WHOLE_ASSIGNMENT.exec(text);
    if (whole && isSensitiveKey(whole[1]) && whole[2] !== ENGINE_SECRET) return `${whole[1]}=${MASKED}`;
    let out = text.replace(URL_CREDENTIALS, (_m, head: string, _pass: string, at: string) => `${head}${MASKED}${at}`);
    out = out.replace(PREFIXED_TOKEN, MASKED);
    out = out.replace(BCRYPT, MASKED);
    out = out.replace(ASSIGNMENT, (match, lead: string, name: string, sep: string, quote: string, value: string) =>
        isSensitiveKey(name) && value !== MASKED && value !== ENGINE_SECRET ? `${lead}${name}${sep}${quote}${MASKED}` : match,
    );
    return key !== undefined && IDENTIFIER_KEY.test(key) ? out : maskRandomRuns(out);
}

/**
 * Masks a property value. `key` is the property name the value sits under: a string under
 * a sensitive name is masked whole, whatever it looks like.
 */
export function maskValue(value: unknown, key?: string): unknown {
    if (typeof value === "string") {
        if (value === ENGINE_SECRET) return value;
        if (key !== undefined && isSensitiveKey(key) && value.length > 0) return MASKED;
        return maskString(value, key);
    }
    if (Array.isArray(value)) return value.map((item) => maskValue(item, key));
    if (value !== null && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const [childKey, child] of Object.entries(value as Record<string, unknown>)) {
            out[childKey] = maskValue(child, childKey);
        }
        return out;
    }
    // A number under a sensitive key (a numeric PIN) is masked too; booleans never hold one.
    if (key !== undefined && isSensitiveKey(key) && typeof value === "number") return MASKED;
    return value;
}
