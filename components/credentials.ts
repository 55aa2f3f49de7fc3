/**
 * What a credential looks like, by name and by value shape. One set of rules for the three
 * places that must recognise one: the config (a credential in a plain env entry is refused),
 * the merge-request note (a credential is masked) and the tests that assert nothing leaked.
 *
 * Hand-written: secret scanners (gitleaks, detect-secrets) are Go/Python tools with their own
 * rule files, not libraries for a Node program; the shapes here are the ones that reach this
 * platform's config (env entries, URLs, DSNs, flags, JSON) plus the usual token prefixes.
 */

/** "GF_SECURITY_ADMIN_PASSWORD" → ["GF","SECURITY","ADMIN","PASSWORD"]; "smtpPass" → ["SMTP","PASS"]. */
export function nameWords(name: string): string[] {
    return name
        .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
        .split(/[^A-Za-z0-9]+/)
        .filter((w) => w.length > 0)
        .map((w) => w.toUpperCase());
}

// Anywhere inside a word: SMTPPASSWORD, DBPASSWD, MYSECRET, APITOKEN.
const CREDENTIAL_SUBSTRINGS = ["PASSWORD", "PASSWD", "PASSPHRASE", "PASSCODE", "SECRET", "TOKEN", "APIKEY", "CREDENTIAL", "PRIVATEKEY", "ACCESSKEY"];
// A whole word (or a word's ending, for run-together names like SMTPPASS, DBPWD).
const CREDENTIAL_ENDINGS = ["PASS", "PWD", "PASSWD", "CREDS", "CRED"];
// Whole words only: too short or too common to match inside another word.
const CREDENTIAL_WORDS = new Set(["PW", "PIN", "KEYS", "REQUIREPASS", "MASTERAUTH", "HTPASSWD", "DSN", "SALT", "PSK", "SESSION"]);
// Words that end like a credential word but are not one.
const NOT_CREDENTIAL = new Set(["BYPASS", "COMPASS", "SURPASS", "TRESPASS", "OVERPASS", "UNDERPASS", "SESSIONS"]);
/**
 * A last word that says the value is about a credential, not the credential: where it is
 * (PASSWORD_FILE), how long it lives (TOKEN_TTL), its URL (OIDC_TOKEN_URI). Deliberately not
 * NAME, ID or PROVIDER: SECRET_NAME, TOKEN_ID and PROVIDER_SECRET hold credentials often enough.
 */
const DESCRIPTOR_LAST_WORDS = new Set([
    "FILE",
    "PATH",
    "DIR",
    "URI",
    "URL",
    "ENDPOINT",
    "TTL",
    "LENGTH",
    "EXPIRY",
    "EXPIRES",
    "EXPIRATION",
    "TIMEOUT",
    "LIFETIME",
    "ALGORITHM",
    "ALG",
    "METHOD",
    "TYPE",
    "ENABLED",
    "ENABLE",
    "DISABLED",
    "DISABLE",
    "REQUIRED",
    "POLICY",
    "FORMAT",
    "HEADER",
    "SCOPE",
    "SCOPES",
    "VERSION",
    "COUNT",
    "STORE",
    "BACKEND",
    "STRATEGY",
]);

/** True when an env variable, config key, flag or property of this name holds a credential. */
export function isCredentialName(name: string): boolean {
    const words = nameWords(name);
    if (words.length === 0) return false;
    if (words.length > 1 && DESCRIPTOR_LAST_WORDS.has(words[words.length - 1]!)) return false;
    return words.some((w, i) => {
        if (NOT_CREDENTIAL.has(w)) return false;
        if (CREDENTIAL_SUBSTRINGS.some((s) => w.includes(s))) return true;
        if (CREDENTIAL_WORDS.has(w)) return w !== "SESSION" || words[i + 1] === "KEY" || words[i + 1] === "SECRET";
        if (CREDENTIAL_ENDINGS.some((e) => w === e || (w.endsWith(e) && w.length > e.length + 1))) return words.length > 1 || w !== "PWD";
        // *_KEY (SECRET_KEY, API_KEY, LICENSE_KEY, *_KEY_BASE); a lone KEY is a field name.
        return w === "KEY" && i > 0;
    });
}

/** Written in place of a credential. */
export const MASK = "[masked]";

// Run-together or prefixed token formats: GitLab, GitHub, Slack, OpenAI-style, Stripe, Google.
const PREFIXED_TOKEN =
    /\b(?:glpat-|gldt-|glrt-|glptt-|glcbt-|gloas-|glsoat-|glft-|glimt-|glagent-|ghp_|gho_|ghu_|ghs_|ghr_|github_pat_|xox[abprs]-|sk-|sk_live_|rk_live_|AIza)[A-Za-z0-9_\-.]{8,}/g;
// AWS access key ids (the secret key is 40 base64 characters: caught as a random run).
const AWS_KEY_ID = /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA|ABIA|ACCA)[A-Z0-9]{16}\b/g;
const JWT = /\beyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}/g;
const PEM_PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g;
const BCRYPT = /\$2[abxy]\$\d{2}\$[./A-Za-z0-9]{53}/g;
// scheme://[user]:password@ — an empty user (redis://:pw@host) included.
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@'"?#]*:)([^\s@/'"]+)(@)/gi;
// scheme://token@host — a user part alone is a credential when it looks generated (DSN keys, tokens).
const URL_USER = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s:/@'"?#]+)(@)/gi;
// Go's DSN: user:password@tcp(host:3306)/db.
const GO_DSN = /(^|[\s'"=])([^\s:@/'"=]+:)([^\s@'"]+)(@(?:tcp|unix|udp|tcp6)\()/g;
// name=value, name: value, "name": "value", ?name=value, ;Password=value;, -Dname=value, --name=value.
const ASSIGNMENT = /(^|[\s;&?,{(\[]|-D|--?)(["']?)([A-Za-z_][A-Za-z0-9_.-]*)\2(\s*[=:]\s*)(["']?)(\[masked\]|\[secret\]|(?!\/)[^\s;&,"'{}[\]?]+)/g;
// --name value (argv as one string).
const FLAG_WITH_VALUE = /(^|\s)(--?[A-Za-z][A-Za-z0-9_.-]*)(\s+)([^\s-][^\s]*)/g;
// Runs of the characters random secrets are made of (hex, base64, base64url).
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
 * Whether a run of token characters looks machine-generated. Hex needs 32+ characters mixing
 * digits and letters; other alphabets need upper case, lower case and digits together (words,
 * paths and image references rarely have all three) plus a high entropy.
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

export interface MaskOptions {
    /** Leave random-looking runs alone (the value sits under an identifier key such as zoneId). @default false */
    readonly keepRandomRuns?: boolean;
    /** Values that are already masked markers and must stay (e.g. the engine's "[secret]"). */
    readonly markers?: readonly string[];
}

/** Every credential-looking part of `text` replaced by {@link MASK}. */
export function maskCredentials(text: string, options: MaskOptions = {}): string {
    const markers = new Set([MASK, ...(options.markers ?? [])]);
    const keep = (value: string): boolean => markers.has(value) || value === "";
    let out = text.replace(PEM_PRIVATE_KEY, MASK);
    out = out.replace(URL_PASSWORD, (m, head: string, pass: string, at: string) => (keep(pass) ? m : `${head}${MASK}${at}`));
    out = out.replace(URL_USER, (m, head: string, user: string, at: string) => (looksRandom(user) || PREFIXED_TOKEN.test(user) ? `${head}${MASK}${at}` : m));
    PREFIXED_TOKEN.lastIndex = 0;
    out = out.replace(GO_DSN, (m, lead: string, user: string, pass: string, tail: string) => (keep(pass) ? m : `${lead}${user}${MASK}${tail}`));
    out = out.replace(PREFIXED_TOKEN, MASK).replace(AWS_KEY_ID, MASK).replace(JWT, MASK).replace(BCRYPT, MASK);
    out = out.replace(ASSIGNMENT, (m, lead: string, q: string, name: string, sep: string, vq: string, value: string) =>
        isCredentialName(name) && !keep(value) ? `${lead}${q}${name}${q}${sep}${vq}${MASK}` : m,
    );
    out = out.replace(FLAG_WITH_VALUE, (m, lead: string, flag: string, space: string, value: string) =>
        isCredentialName(flag) && !keep(value) ? `${lead}${flag}${space}${MASK}` : m,
    );
    if (options.keepRandomRuns) return out;
    return out.replace(RANDOM_RUN, (run, offset: number, whole: string) => {
        // Image digests and content hashes are identifiers, and reviewers need to see them change.
        if (/(sha1|sha256|sha384|sha512|md5):$/i.test(whole.slice(Math.max(0, offset - 8), offset))) return run;
        return looksRandom(run) ? MASK : run;
    });
}

/** True when `text` carries something shaped like a credential (the same rules {@link maskCredentials} masks). */
export function carriesCredential(text: string): boolean {
    return maskCredentials(text) !== text;
}
